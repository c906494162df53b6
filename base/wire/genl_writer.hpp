// Appends generic-netlink messages (nlmsghdr + genlmsghdr + attributes) to a buffer, the
// kernel-facing counterpart of MessageBuilder (no power byte). Several messages may
// be appended in turn so that one sendmsg() carries a whole batch.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/wire/mac_address.hpp"

namespace vmesh::wire {

// nlmsg_flags bits (linux/netlink.h).
inline constexpr std::uint16_t kNlmFRequest = 0x1;
inline constexpr std::uint16_t kNlmFAck = 0x4;

struct GenlHeader {
  std::uint16_t type = 0;  // family id (or GENL_ID_CTRL)
  std::uint16_t flags = kNlmFRequest;
  std::uint32_t seq = 0;
  std::uint8_t cmd = 0;
  std::uint8_t version = 1;
};

class GenlWriter {
 public:
  // Starts a message at the end of `out` (which must already be 4-byte aligned). No throws
  // unless the vector must grow and allocation fails.
  GenlWriter(std::vector<std::uint8_t>& out, const GenlHeader& header);

  void put(std::uint16_t type, std::span<const std::uint8_t> value);
  void put_u16(std::uint16_t type, std::uint16_t value);
  void put_u32(std::uint16_t type, std::uint32_t value);
  void put_u64(std::uint16_t type, std::uint64_t value);
  void put_mac(std::uint16_t type, const MacAddress& mac) { put(type, mac.bytes); }
  // A NUL-terminated string attribute (NLA_NUL_STRING / NLA_STRING).
  void put_string(std::uint16_t type, std::string_view text);
  // Reserves an attribute of `size` bytes and returns where to write its value.
  std::span<std::uint8_t> reserve(std::uint16_t type, std::size_t size);

  // Writes nlmsg_len and returns the finished message. Call once.
  std::span<const std::uint8_t> finish();

 private:
  std::vector<std::uint8_t>& out_;
  std::size_t start_;
};

}  // namespace vmesh::wire
