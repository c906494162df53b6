// The 802.11 data frames the load generator sends: a real data frame header, an LLC/SNAP
// header and a stamp (sender id, sequence number, send time) that receivers read back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/wire/mac_address.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::bench {

// What each frame carries so that receivers can count losses and measure latency.
struct PayloadStamp {
  std::uint32_t sender = 0;        // client index of the sender
  std::uint64_t seq = 0;           // per-sender sequence number, 0, 1, 2, ...
  std::uint64_t send_time_ns = 0;  // CLOCK_MONOTONIC at send time

  friend bool operator==(const PayloadStamp&, const PayloadStamp&) = default;
};

// 802.11 header (24) + LLC/SNAP (8) + stamp (magic 4, sender 4, seq 8, time 8).
inline constexpr std::size_t kDot11HeaderBytes = 24;
inline constexpr std::size_t kLlcSnapBytes = 8;
inline constexpr std::size_t kStampBytes = 24;
inline constexpr std::size_t kStampOffset = kDot11HeaderBytes + kLlcSnapBytes;
inline constexpr std::size_t kMinFrameBytes = kStampOffset + kStampBytes;
// Local experimental EtherType (IEEE 802), so nothing mistakes these frames for traffic.
inline constexpr std::uint16_t kLoadgenEtherType = 0x88b5;
inline constexpr std::uint32_t kStampMagic = 0x474c4d56;  // "VMLG" little-endian

// Transmitter address of client `index`: 42:00:00:<index high byte>:<index low byte>:00.
wire::MacAddress client_mac(std::uint32_t index);

// Fills `frame` (its size is the 802.11 frame length, >= kMinFrameBytes) with a data
// frame from client_mac(stamp.sender) to broadcast, in an IBSS with a fixed BSSID, and
// the stamp. Bytes after the stamp get a fixed pattern. Returns false if too short.
bool write_frame(std::span<std::uint8_t> frame, const PayloadStamp& stamp);

// Rewrites only the per-frame fields (802.11 sequence control and the stamp) of a frame
// that write_frame() filled before; the cheap path for resending a template.
void restamp_frame(std::span<std::uint8_t> frame, std::uint64_t seq, std::uint64_t send_time_ns);

// Reads the stamp back; nullopt if the frame is too short or not one of ours.
std::optional<PayloadStamp> read_stamp(std::span<const std::uint8_t> frame) noexcept;

}  // namespace vmesh::bench
