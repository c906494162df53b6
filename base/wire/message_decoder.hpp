// Incremental decoder for the vwifi stream: finds message boundaries in any split of the
// byte stream and validates each message before it is relayed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace vmesh::wire {

enum class DecodeStatus : std::uint8_t {
  complete,   // a whole, valid message is at the front of the input
  need_more,  // the input holds only part of a message; read more and try again
  malformed,  // the front of the input can never become a valid message
};

enum class DecodeError : std::uint8_t {
  none,
  nlmsg_len_too_small,  // nlmsg_len < 20 (the two headers)
  nlmsg_len_too_large,  // nlmsg_len > kMaxNlmsgLen
  attr_len_too_small,   // an attribute's length is below its 4-byte header
  attr_overrun,         // an attribute runs past nlmsg_len
};

// Human-readable reason, e.g. "nlmsg_len 12 below minimum 20".
std::string_view describe(DecodeError error);

struct DecodeResult {
  DecodeStatus status = DecodeStatus::need_more;
  DecodeError error = DecodeError::none;
  // complete: bytes of the message including the power byte.
  // need_more: total bytes needed once the header is known, else 0.
  std::size_t wire_bytes = 0;
  // The offending value (nlmsg_len or attribute length) when malformed.
  std::uint32_t bad_value = 0;
};

// Looks at the front of `stream` (power byte first). Never reads past its end. No throws.
DecodeResult decode_message(std::span<const std::uint8_t> stream) noexcept;

// Validates the attribute TLVs of one netlink message body (the bytes after genlmsghdr).
// The last attribute may omit its alignment padding; nothing else may overrun.
DecodeResult validate_attributes(std::span<const std::uint8_t> attrs) noexcept;

}  // namespace vmesh::wire
