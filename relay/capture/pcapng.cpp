#include "relay/capture/pcapng.hpp"

#include <cstring>

namespace vmesh::capture {

namespace {

constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescription = 0x00000001;
constexpr std::uint32_t kEnhancedPacket = 0x00000006;
constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kOptComment = 1;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfTsresol = 9;

// Radiotap: version, pad, length, present word, then Channel (bit 3: u16 MHz, u16 flags)
// and dBm antenna signal (bit 5: s8). Channel is 2-aligned at offset 8; 13 bytes in all.
constexpr std::uint32_t kRadiotapPresent = (1u << 3) | (1u << 5);
constexpr std::uint16_t kRadiotapBytes = 13;
constexpr std::uint16_t kChannel2Ghz = 0x0080;
constexpr std::uint16_t kChannel5Ghz = 0x0100;

template <typename T>
void put(std::vector<std::uint8_t>& out, T value) {
  const std::size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &value, sizeof(T));
}

void put_bytes(std::vector<std::uint8_t>& out, const void* data, std::size_t n) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  out.insert(out.end(), p, p + n);
}

void pad4(std::vector<std::uint8_t>& out, std::size_t from) {
  while ((out.size() - from) % 4 != 0) out.push_back(0);
}

void put_option(std::vector<std::uint8_t>& out, std::uint16_t code, const void* data,
                std::size_t n) {
  put<std::uint16_t>(out, code);
  put<std::uint16_t>(out, static_cast<std::uint16_t>(n));
  const std::size_t start = out.size();
  put_bytes(out, data, n);
  pad4(out, start);
}

// Opens a block; close_block() writes both length fields.
std::size_t open_block(std::vector<std::uint8_t>& out, std::uint32_t type) {
  const std::size_t start = out.size();
  put<std::uint32_t>(out, type);
  put<std::uint32_t>(out, 0);
  return start;
}

void close_block(std::vector<std::uint8_t>& out, std::size_t start) {
  const auto total = static_cast<std::uint32_t>(out.size() - start + 4);
  std::memcpy(out.data() + start + 4, &total, 4);
  put<std::uint32_t>(out, total);
}

}  // namespace

void append_section_header(std::vector<std::uint8_t>& out, std::string_view application) {
  const std::size_t start = open_block(out, kSectionHeader);
  put<std::uint32_t>(out, 0x1A2B3C4D);  // byte-order magic
  put<std::uint16_t>(out, 1);           // version 1.0
  put<std::uint16_t>(out, 0);
  put<std::int64_t>(out, -1);  // section length unknown
  put_option(out, kShbUserAppl, application.data(), application.size());
  put_option(out, kOptEnd, nullptr, 0);
  close_block(out, start);
}

void append_interface(std::vector<std::uint8_t>& out, std::string_view name) {
  const std::size_t start = open_block(out, kInterfaceDescription);
  put<std::uint16_t>(out, kLinktypeRadiotap);
  put<std::uint16_t>(out, 0);
  put<std::uint32_t>(out, 0);  // no snap length
  put_option(out, kIfName, name.data(), name.size());
  const std::uint8_t tsresol = 6;  // 10^-6 s
  put_option(out, kIfTsresol, &tsresol, 1);
  put_option(out, kOptEnd, nullptr, 0);
  close_block(out, start);
}

void append_packet(std::vector<std::uint8_t>& out, const PacketInfo& info,
                   std::span<const std::uint8_t> frame) {
  const std::size_t start = open_block(out, kEnhancedPacket);
  const auto captured = static_cast<std::uint32_t>(kRadiotapBytes + frame.size());
  put<std::uint32_t>(out, info.interface_id);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(info.timestamp_us >> 32));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(info.timestamp_us));
  put<std::uint32_t>(out, captured);
  put<std::uint32_t>(out, captured);

  const std::size_t data = out.size();
  put<std::uint8_t>(out, 0);  // radiotap version
  put<std::uint8_t>(out, 0);
  put<std::uint16_t>(out, kRadiotapBytes);
  put<std::uint32_t>(out, kRadiotapPresent);
  put<std::uint16_t>(out, info.freq_mhz);
  put<std::uint16_t>(out, info.freq_mhz >= 4000 ? kChannel5Ghz : kChannel2Ghz);
  put<std::int8_t>(out, info.signal_dbm);
  put_bytes(out, frame.data(), frame.size());
  pad4(out, data);

  if (!info.comment.empty()) {
    put_option(out, kOptComment, info.comment.data(), info.comment.size());
    put_option(out, kOptEnd, nullptr, 0);
  }
  close_block(out, start);
}

}  // namespace vmesh::capture
