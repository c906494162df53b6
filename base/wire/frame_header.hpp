// Addresses in the 802.11 header of a frame as hwsim carries it (HWSIM_ATTR_FRAME, no FCS).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>

#include "base/wire/mac_address.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::wire {

// addr1 follows frame control (2 bytes) and duration (2); addr2 follows addr1.
inline constexpr std::size_t kAddr1Offset = 4;
inline constexpr std::size_t kAddr2Offset = kAddr1Offset + kMacBytes;

// The receiver address (addr1), or nullopt when the frame is too short. No throws.
inline std::optional<MacAddress> addr1_of(std::span<const std::uint8_t> frame) noexcept {
  if (frame.size() < kAddr1Offset + kMacBytes) return std::nullopt;
  MacAddress mac;
  std::copy_n(frame.begin() + kAddr1Offset, kMacBytes, mac.bytes.begin());
  return mac;
}

// The transmitter address (addr2), or nullopt for control frames (type 1: ACK and CTS
// carry none) and frames too short to hold it. No throws.
inline std::optional<MacAddress> addr2_of(std::span<const std::uint8_t> frame) noexcept {
  if (frame.size() < kAddr2Offset + kMacBytes || ((frame[0] >> 2) & 0x3) == 1) return std::nullopt;
  MacAddress mac;
  std::copy_n(frame.begin() + kAddr2Offset, kMacBytes, mac.bytes.begin());
  return mac;
}

// Whether addr1 is a group (broadcast or multicast) address; false when absent.
inline bool is_group_addressed(std::span<const std::uint8_t> frame) noexcept {
  const auto addr1 = addr1_of(frame);
  return addr1 && (addr1->bytes[0] & 0x01) != 0;
}

}  // namespace vmesh::wire
