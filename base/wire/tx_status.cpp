#include "base/wire/tx_status.hpp"

#include <algorithm>
#include <array>

#include "base/wire/frame_header.hpp"
#include "base/wire/message_builder.hpp"

namespace vmesh::wire {

void append_hello(std::vector<std::uint8_t>& out) {
  MessageBuilder b(out, 0, static_cast<HwsimCmd>(kVmeshHelloCmd), NetlinkHeader{},
                   kTxStatusVersion);
  b.finish();
}

bool is_hello(std::span<const std::uint8_t> wire_message) noexcept {
  if (wire_message.size() < kPowerBytes + kOffsetAttrs) return false;
  return wire_message[kPowerBytes + kOffsetGenlCmd] == kVmeshHelloCmd &&
         wire_message[kPowerBytes + kOffsetGenlVersion] == kTxStatusVersion;
}

bool wants_medium_ack(const HwsimMessage& tx) noexcept {
  if (tx.genl_cmd != static_cast<std::uint8_t>(HwsimCmd::frame)) return false;
  if (!tx.transmitter || !tx.flags || !tx.cookie || tx.tx_info.empty()) return false;
  if (*tx.flags & kHwsimTxCtlNoAck) return false;
  return addr1_of(tx.frame) && !is_group_addressed(tx.frame);
}

std::uint32_t planned_attempts(std::span<const std::uint8_t> tx_info) noexcept {
  std::uint32_t total = 0;
  for (std::size_t i = 0; i + kTxRateBytes <= tx_info.size(); i += kTxRateBytes) {
    if (static_cast<std::int8_t>(tx_info[i]) < 0) break;
    total += tx_info[i + 1];
  }
  return total;
}

void spend_attempts(std::span<std::uint8_t> tx_info, std::uint32_t attempts) noexcept {
  std::uint32_t left = std::max<std::uint32_t>(attempts, 1);
  bool first_valid = true;
  for (std::size_t i = 0; i + kTxRateBytes <= tx_info.size(); i += kTxRateBytes) {
    const bool valid = static_cast<std::int8_t>(tx_info[i]) >= 0;
    if (!valid || left == 0) {
      tx_info[i] = 0xff;  // idx -1: not used
      tx_info[i + 1] = 0;
      continue;
    }
    // A rate planned with count 0 still carries the first attempt if it is the first one.
    std::uint32_t count = tx_info[i + 1];
    if (count == 0 && first_valid) count = 1;
    const std::uint32_t used = std::min(left, count);
    tx_info[i + 1] = static_cast<std::uint8_t>(used);
    if (used == 0) tx_info[i] = 0xff;
    left -= used;
    first_valid = false;
  }
}

bool append_tx_status_message(std::vector<std::uint8_t>& out, const HwsimMessage& tx,
                              const TxOutcome& outcome, std::int32_t ack_signal_dbm) {
  // hwsim_tx_info_frame_received_nl() requires all of these.
  if (!tx.transmitter || !tx.cookie || !tx.flags || tx.tx_info.empty()) return false;
  MessageBuilder b(out, 0, HwsimCmd::tx_info_frame, NetlinkHeader{});
  b.put_mac(HwsimAttr::addr_transmitter, *tx.transmitter);
  b.put_u32(HwsimAttr::flags,
            outcome.acked ? (*tx.flags | kHwsimTxStatAck) : (*tx.flags & ~kHwsimTxStatAck));
  b.put_u32(HwsimAttr::signal, static_cast<std::uint32_t>(ack_signal_dbm));
  // Largest TX_INFO hwsim sends: IEEE80211_TX_MAX_RATES (4) entries.
  std::array<std::uint8_t, 16> rates{};
  const std::size_t n = std::min(tx.tx_info.size(), rates.size());
  std::copy_n(tx.tx_info.begin(), n, rates.begin());
  spend_attempts(std::span(rates).first(n), outcome.attempts);
  b.put(HwsimAttr::tx_info, std::span<const std::uint8_t>(rates).first(n));
  b.put_u64(HwsimAttr::cookie, *tx.cookie);
  if (!tx.tx_info_flags.empty()) b.put(HwsimAttr::tx_info_flags, tx.tx_info_flags);
  b.finish();
  return true;
}

}  // namespace vmesh::wire
