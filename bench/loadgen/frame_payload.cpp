#include "bench/loadgen/frame_payload.hpp"

#include <algorithm>
#include <cstring>

namespace vmesh::bench {

namespace {

// Frame control: protocol 0, type data (2), subtype 0; flags 0 (no ToDS/FromDS: IBSS),
// so addr1 = destination, addr2 = source, addr3 = BSSID.
constexpr std::uint8_t kFrameControl0 = 0x08;
constexpr std::uint8_t kFrameControl1 = 0x00;
constexpr std::size_t kOffsetAddr1 = 4;
constexpr std::size_t kOffsetAddr2 = 10;
constexpr std::size_t kOffsetAddr3 = 16;
constexpr std::size_t kOffsetSeqCtrl = 22;
constexpr std::uint8_t kBssid[6] = {0x42, 0x00, 0x00, 0x00, 0x00, 0xff};
constexpr std::uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

template <typename T>
void put_le(std::uint8_t* p, T value) {
  std::memcpy(p, &value, sizeof(T));  // host order, as the rest of the vwifi stream
}

template <typename T>
T get_le(const std::uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

void put_seq_ctrl(std::uint8_t* frame, std::uint64_t seq) {
  // Sequence number in bits 4..15, fragment number 0; little-endian as on the air.
  const auto ctrl = static_cast<std::uint16_t>((seq & 0x0fffu) << 4);
  frame[kOffsetSeqCtrl] = static_cast<std::uint8_t>(ctrl & 0xffu);
  frame[kOffsetSeqCtrl + 1] = static_cast<std::uint8_t>(ctrl >> 8);
}

}  // namespace

wire::MacAddress client_mac(std::uint32_t index) {
  wire::MacAddress mac;
  mac.bytes = {0x42,
               0x00,
               0x00,
               static_cast<std::uint8_t>((index >> 8) & 0xffu),
               static_cast<std::uint8_t>(index & 0xffu),
               0x00};
  return mac;
}

bool write_frame(std::span<std::uint8_t> frame, const PayloadStamp& stamp) {
  if (frame.size() < kMinFrameBytes) return false;
  std::uint8_t* p = frame.data();
  p[0] = kFrameControl0;
  p[1] = kFrameControl1;
  p[2] = 0;  // duration
  p[3] = 0;
  std::memcpy(p + kOffsetAddr1, kBroadcast, sizeof(kBroadcast));
  std::memcpy(p + kOffsetAddr2, client_mac(stamp.sender).bytes.data(), wire::kMacBytes);
  std::memcpy(p + kOffsetAddr3, kBssid, sizeof(kBssid));
  // LLC/SNAP: DSAP AA, SSAP AA, UI, OUI 00:00:00, EtherType (network order).
  std::uint8_t* llc = p + kDot11HeaderBytes;
  llc[0] = 0xaa;
  llc[1] = 0xaa;
  llc[2] = 0x03;
  llc[3] = llc[4] = llc[5] = 0x00;
  llc[6] = static_cast<std::uint8_t>(kLoadgenEtherType >> 8);
  llc[7] = static_cast<std::uint8_t>(kLoadgenEtherType & 0xffu);
  put_le<std::uint32_t>(p + kStampOffset, kStampMagic);
  put_le<std::uint32_t>(p + kStampOffset + 4, stamp.sender);
  for (std::size_t i = kMinFrameBytes; i < frame.size(); ++i) {
    p[i] = static_cast<std::uint8_t>(i & 0xffu);
  }
  restamp_frame(frame, stamp.seq, stamp.send_time_ns);
  return true;
}

void restamp_frame(std::span<std::uint8_t> frame, std::uint64_t seq, std::uint64_t send_time_ns) {
  std::uint8_t* p = frame.data();
  put_seq_ctrl(p, seq);
  put_le<std::uint64_t>(p + kStampOffset + 8, seq);
  put_le<std::uint64_t>(p + kStampOffset + 16, send_time_ns);
}

std::optional<PayloadStamp> read_stamp(std::span<const std::uint8_t> frame) noexcept {
  if (frame.size() < kMinFrameBytes) return std::nullopt;
  const std::uint8_t* p = frame.data();
  if (p[0] != kFrameControl0 || get_le<std::uint32_t>(p + kStampOffset) != kStampMagic) {
    return std::nullopt;
  }
  PayloadStamp stamp;
  stamp.sender = get_le<std::uint32_t>(p + kStampOffset + 4);
  stamp.seq = get_le<std::uint64_t>(p + kStampOffset + 8);
  stamp.send_time_ns = get_le<std::uint64_t>(p + kStampOffset + 16);
  return stamp;
}

}  // namespace vmesh::bench
