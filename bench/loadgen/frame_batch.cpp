#include "bench/loadgen/frame_batch.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_builder.hpp"
#include "bench/loadgen/frame_payload.hpp"

namespace vmesh::bench {

namespace {

// Offset of `inner` inside `outer`; both spans view the same buffer.
std::size_t offset_in(std::span<const std::uint8_t> outer, const std::uint8_t* inner) {
  return static_cast<std::size_t>(inner - outer.data());
}

// Layout FrameBatch writes: attributes start with ADDR_TRANSMITTER (4 + 6 bytes, padded to
// 12), then FRAME.
constexpr std::size_t kAttrsAt = wire::kPowerBytes + wire::kOffsetAttrs;
constexpr std::size_t kFrameAttrAt =
    kAttrsAt + wire::netlink_align(wire::kAttrHeaderBytes + wire::kMacBytes);

std::uint16_t load_u16(const std::uint8_t* p) {
  std::uint16_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

}  // namespace

std::span<const std::uint8_t> frame_attribute(std::span<const std::uint8_t> message) noexcept {
  if (message.size() >= kFrameAttrAt + wire::kAttrHeaderBytes &&
      load_u16(message.data() + kAttrsAt + 2) ==
          static_cast<std::uint16_t>(wire::HwsimAttr::addr_transmitter) &&
      load_u16(message.data() + kAttrsAt) == wire::kAttrHeaderBytes + wire::kMacBytes &&
      load_u16(message.data() + kFrameAttrAt + 2) ==
          static_cast<std::uint16_t>(wire::HwsimAttr::frame)) {
    const std::size_t attr_len = load_u16(message.data() + kFrameAttrAt);
    if (attr_len >= wire::kAttrHeaderBytes && kFrameAttrAt + attr_len <= message.size()) {
      return message.subspan(kFrameAttrAt + wire::kAttrHeaderBytes,
                             attr_len - wire::kAttrHeaderBytes);
    }
  }
  return wire::read_hwsim_message(message).frame;
}

FrameBatch::FrameBatch(std::uint32_t sender, std::size_t frame_bytes, std::size_t batch)
    : batch_(batch), frame_bytes_(frame_bytes) {
  if (frame_bytes < kMinFrameBytes || frame_bytes > 8192) {
    throw std::invalid_argument("frame size must be between " + std::to_string(kMinFrameBytes) +
                                " and 8192 bytes");
  }
  if (batch == 0) throw std::invalid_argument("batch must be at least 1");

  std::vector<std::uint8_t> frame(frame_bytes);
  write_frame(frame, PayloadStamp{sender, 0, 0});
  // What mac80211_hwsim puts in a transmitted frame: one rate try, ask for TX status.
  const std::uint8_t tx_info[8] = {0, 1, 0xff, 0, 0xff, 0, 0xff, 0};
  std::vector<std::uint8_t> one;
  wire::MessageBuilder builder(one, wire::kDefaultTxPowerDbm, wire::HwsimCmd::frame,
                               wire::NetlinkHeader{.type = 0x1c, .flags = 0, .seq = 0, .pid = 0});
  builder.put_mac(wire::HwsimAttr::addr_transmitter, client_mac(sender));
  builder.put(wire::HwsimAttr::frame, frame);
  builder.put_u32(wire::HwsimAttr::flags, wire::kHwsimTxCtlReqTxStatus);
  builder.put(wire::HwsimAttr::tx_info, tx_info);
  builder.put_u64(wire::HwsimAttr::cookie, 0);
  builder.put_u32(wire::HwsimAttr::freq, wire::kDefaultFreqMhz);
  const auto message = builder.finish();

  const auto parsed = wire::read_hwsim_message(message);
  frame_offset_ = offset_in(message, parsed.frame.data());
  nl_seq_offset_ = wire::kPowerBytes + wire::kOffsetNlmsgSeq;
  // The COOKIE value is the last 8 bytes before the FREQ attribute (4 header + 4 value).
  cookie_offset_ = message.size() - 8 - 8;
  message_bytes_ = message.size();

  bytes_.reserve(message_bytes_ * batch_);
  for (std::size_t i = 0; i < batch_; ++i) bytes_.insert(bytes_.end(), one.begin(), one.end());
}

std::span<const std::uint8_t> FrameBatch::stamp(std::size_t count, std::uint64_t first_seq,
                                                std::uint64_t send_time_ns) noexcept {
  if (count > batch_) count = batch_;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint8_t* message = bytes_.data() + i * message_bytes_;
    const std::uint64_t seq = first_seq + i;
    const auto nl_seq = static_cast<std::uint32_t>(seq);
    std::memcpy(message + nl_seq_offset_, &nl_seq, sizeof(nl_seq));
    std::memcpy(message + cookie_offset_, &seq, sizeof(seq));
    restamp_frame(std::span<std::uint8_t>(message + frame_offset_, frame_bytes_), seq,
                  send_time_ns);
  }
  return std::span<const std::uint8_t>(bytes_.data(), count * message_bytes_);
}

}  // namespace vmesh::bench
