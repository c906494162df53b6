#include "base/wire/hwsim_frames.hpp"

#include <cstring>

#include "base/wire/byte_io.hpp"
#include "base/wire/genl_writer.hpp"
#include "base/wire/tx_status.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::wire {

namespace {

std::uint16_t attr(HwsimAttr a) {
  return static_cast<std::uint16_t>(a);
}

}  // namespace

void append_rx_frame(std::vector<std::uint8_t>& out, std::uint16_t family_id, const RxFrame& rx) {
  GenlWriter w(out, {.type = family_id,
                     .flags = kNlmFRequest,
                     .seq = 0,
                     .cmd = static_cast<std::uint8_t>(HwsimCmd::frame),
                     .version = kHwsimGenlVersion});
  w.put_mac(attr(HwsimAttr::addr_receiver), rx.receiver);
  w.put(attr(HwsimAttr::frame), rx.frame);
  w.put_u32(attr(HwsimAttr::rx_rate), rx.rx_rate);
  w.put_u32(attr(HwsimAttr::signal), static_cast<std::uint32_t>(rx.signal_dbm));
  w.put_u32(attr(HwsimAttr::freq), rx.freq_mhz);
  w.finish();
}

bool append_tx_status(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                      const HwsimMessage& tx, const TxOutcome& outcome, std::int32_t signal_dbm) {
  // hwsim_tx_info_frame_received_nl() requires all five of these.
  if (!tx.transmitter || !tx.cookie || !tx.flags || tx.tx_info.empty()) return false;
  GenlWriter w(out, {.type = family_id,
                     .flags = kNlmFRequest,
                     .seq = 0,
                     .cmd = static_cast<std::uint8_t>(HwsimCmd::tx_info_frame),
                     .version = kHwsimGenlVersion});
  w.put_mac(attr(HwsimAttr::addr_transmitter), *tx.transmitter);
  w.put_u32(attr(HwsimAttr::flags),
            outcome.acked ? (*tx.flags | kHwsimTxStatAck) : (*tx.flags & ~kHwsimTxStatAck));
  w.put_u32(attr(HwsimAttr::signal), static_cast<std::uint32_t>(signal_dbm));
  // The kernel copies these (idx, count) pairs into the status rate control reads. The
  // kernel sent us the retry chain it planned; echoing it would tell minstrel that every
  // planned attempt was used. An ACK at the first attempt means: first valid rate, count 1,
  // the rest unused (idx -1), which is what a medium that delivered the frame reports.
  auto rates = w.reserve(attr(HwsimAttr::tx_info), tx.tx_info.size());
  std::memcpy(rates.data(), tx.tx_info.data(), tx.tx_info.size());
  spend_attempts(rates, outcome.attempts);
  w.put_u64(attr(HwsimAttr::cookie), *tx.cookie);
  if (!tx.tx_info_flags.empty()) w.put(attr(HwsimAttr::tx_info_flags), tx.tx_info_flags);
  w.finish();
  return true;
}

bool append_relay_tx_status(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                            std::span<const std::uint8_t> wire_message) {
  if (wire_message.size() < kPowerBytes + kOffsetAttrs ||
      wire_message[kPowerBytes + kOffsetGenlCmd] !=
          static_cast<std::uint8_t>(HwsimCmd::tx_info_frame)) {
    return false;
  }
  // The relay wrote the attributes exactly as hwsim wants them; only the header is ours.
  const auto nlmsg = wire_message.subspan(kPowerBytes);
  const std::size_t at = out.size();
  out.insert(out.end(), nlmsg.begin(), nlmsg.end());
  out.resize(at + netlink_align(nlmsg.size()), 0);
  std::uint8_t* header = out.data() + at;
  store<std::uint16_t>(header + kOffsetNlmsgType, family_id);
  store<std::uint16_t>(header + kOffsetNlmsgFlags, kNlmFRequest);
  store<std::uint32_t>(header + kOffsetNlmsgSeq, 0);
  store<std::uint32_t>(header + kOffsetNlmsgPid, 0);
  header[kOffsetGenlVersion] = kHwsimGenlVersion;
  return true;
}

std::uint32_t rx_rate_for(std::span<const std::uint8_t> tx_info, std::uint32_t freq_mhz) noexcept {
  if (tx_info.empty()) return 0;
  const auto idx = static_cast<std::int8_t>(tx_info[0]);
  const int band_rates = freq_mhz < 3000 ? 12 : 8;
  if (idx < 0 || idx >= band_rates) return 0;
  return static_cast<std::uint32_t>(idx);
}

}  // namespace vmesh::wire
