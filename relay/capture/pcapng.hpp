// pcapng blocks for captures of the medium: a section header, one interface per node
// (LINKTYPE_IEEE802_11_RADIOTAP, microsecond timestamps) and enhanced packet blocks whose
// data is a radiotap header (channel, signal) followed by the 802.11 frame, with the
// relay's verdict in the packet comment. Pure byte building; little-endian.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vmesh::capture {

inline constexpr std::uint16_t kLinktypeRadiotap = 127;

// Appends a Section Header Block naming the application.
void append_section_header(std::vector<std::uint8_t>& out, std::string_view application);

// Appends an Interface Description Block called `name` (if_tsresol = microseconds).
void append_interface(std::vector<std::uint8_t>& out, std::string_view name);

struct PacketInfo {
  std::uint32_t interface_id = 0;
  std::uint64_t timestamp_us = 0;  // since the Unix epoch
  std::uint16_t freq_mhz = 0;
  std::int8_t signal_dbm = 0;
  std::string_view comment;  // empty: no comment option
};

// Appends an Enhanced Packet Block: radiotap (channel + antenna signal) + `frame`.
void append_packet(std::vector<std::uint8_t>& out, const PacketInfo& info,
                   std::span<const std::uint8_t> frame);

}  // namespace vmesh::capture
