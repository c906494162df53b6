// Read-only view of one decoded vwifi message: headers plus the HWSIM attributes that
// the relay, the agent and the tools care about. Spans point into the caller's buffer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "base/wire/mac_address.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::wire {

struct HwsimMessage {
  std::int8_t power_dbm = 0;
  std::uint16_t nlmsg_type = 0;
  std::uint16_t nlmsg_flags = 0;
  std::uint32_t nlmsg_seq = 0;
  std::uint32_t nlmsg_pid = 0;
  std::uint8_t genl_cmd = 0;
  std::uint8_t genl_version = 0;

  std::optional<MacAddress> transmitter;
  std::optional<MacAddress> receiver;
  std::span<const std::uint8_t> frame;  // the 802.11 frame without FCS; empty if absent
  std::optional<std::uint32_t> flags;
  std::optional<std::uint32_t> rx_rate;
  std::optional<std::uint32_t> signal_dbm;
  std::optional<std::uint64_t> cookie;
  std::optional<std::uint32_t> freq_mhz;
  std::span<const std::uint8_t> tx_info;        // raw hwsim_tx_rate array
  std::span<const std::uint8_t> tx_info_flags;  // raw hwsim_tx_rate_flag array

  // FREQ if present, else 2412 MHz as vwifi assumes.
  std::uint32_t freq_or_default() const { return freq_mhz.value_or(kDefaultFreqMhz); }
};

// Calls visit(type, value) for each attribute of a netlink body (bytes after genlmsghdr).
// Stops at the first truncated attribute; validate with decode_message() first.
void for_each_attribute(
    std::span<const std::uint8_t> attrs,
    const std::function<void(std::uint16_t, std::span<const std::uint8_t>)>& visit);

// Parses a whole wire message (power byte first) that decode_message() accepted.
// Attributes of an unexpected size are ignored, unknown ones skipped. No throws.
HwsimMessage read_hwsim_message(std::span<const std::uint8_t> wire_message) noexcept;

// Fast path for the relay: transmitter, frequency and frame only, no std::function.
struct FrameRouting {
  std::optional<MacAddress> transmitter;
  std::uint32_t freq_mhz = kDefaultFreqMhz;
  std::span<const std::uint8_t> frame;  // the 802.11 frame; empty if absent
};
FrameRouting read_frame_routing(std::span<const std::uint8_t> wire_message) noexcept;

}  // namespace vmesh::wire
