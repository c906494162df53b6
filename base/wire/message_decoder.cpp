#include "base/wire/message_decoder.hpp"

#include "base/wire/byte_io.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::wire {

std::string_view describe(DecodeError error) {
  switch (error) {
    case DecodeError::none:
      return "no error";
    case DecodeError::nlmsg_len_too_small:
      return "nlmsg_len below the 20-byte netlink+genl headers";
    case DecodeError::nlmsg_len_too_large:
      return "nlmsg_len above the 16384-byte limit";
    case DecodeError::attr_len_too_small:
      return "attribute length below its 4-byte header";
    case DecodeError::attr_overrun:
      return "attribute runs past the end of the message";
  }
  return "unknown error";
}

namespace {

DecodeResult malformed(DecodeError error, std::uint32_t value) {
  return {DecodeStatus::malformed, error, 0, value};
}

}  // namespace

DecodeResult validate_attributes(std::span<const std::uint8_t> attrs) noexcept {
  std::size_t offset = 0;
  while (offset < attrs.size()) {
    if (attrs.size() - offset < kAttrHeaderBytes) {
      return malformed(DecodeError::attr_overrun,
                       static_cast<std::uint32_t>(attrs.size() - offset));
    }
    const auto attr_len = load<std::uint16_t>(attrs.data() + offset);
    if (attr_len < kAttrHeaderBytes) return malformed(DecodeError::attr_len_too_small, attr_len);
    if (attr_len > attrs.size() - offset) return malformed(DecodeError::attr_overrun, attr_len);
    offset += netlink_align(attr_len);
  }
  return {DecodeStatus::complete, DecodeError::none, attrs.size(), 0};
}

DecodeResult decode_message(std::span<const std::uint8_t> stream) noexcept {
  constexpr std::size_t kLenEnd = kPowerBytes + sizeof(std::uint32_t);
  if (stream.size() < kLenEnd) return {};
  const auto nlmsg_len = load<std::uint32_t>(stream.data() + kPowerBytes);
  if (nlmsg_len < kMinNlmsgLen) return malformed(DecodeError::nlmsg_len_too_small, nlmsg_len);
  if (nlmsg_len > kMaxNlmsgLen) return malformed(DecodeError::nlmsg_len_too_large, nlmsg_len);

  const std::size_t wire_bytes = kPowerBytes + nlmsg_len;
  if (stream.size() < wire_bytes) {
    return {DecodeStatus::need_more, DecodeError::none, wire_bytes, 0};
  }
  const auto attrs = stream.subspan(kPowerBytes + kOffsetAttrs, nlmsg_len - kOffsetAttrs);
  DecodeResult checked = validate_attributes(attrs);
  if (checked.status != DecodeStatus::complete) return checked;
  return {DecodeStatus::complete, DecodeError::none, wire_bytes, 0};
}

}  // namespace vmesh::wire
