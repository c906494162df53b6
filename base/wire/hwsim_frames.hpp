// Pure builders for the per-frame messages the agent sends to its kernel (and the relay to a
// vhost-user guest's hwsim): HWSIM_CMD_FRAME (a frame for one local radio to receive) and
// HWSIM_CMD_TX_INFO_FRAME (the TX status of a frame one of its radios sent).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/mac_address.hpp"
#include "base/wire/tx_status.hpp"

namespace vmesh::wire {

// Signal reported in TX status, as vwifi reports it (dBm).
inline constexpr std::int32_t kAckSignalDbm = -10;
// Signal of a frame between two radios of the same VM: vwifi's value at distance 0 (dBm).
inline constexpr std::int32_t kLocalSignalDbm = -10;

struct RxFrame {
  MacAddress receiver;  // the radio's hwsim address (its addresses[1])
  std::span<const std::uint8_t> frame;
  std::uint32_t rx_rate = 0;  // legacy rate index within the band
  std::int32_t signal_dbm = 0;
  std::uint32_t freq_mhz = 0;
};

// Appends HWSIM_CMD_FRAME with ADDR_RECEIVER, FRAME, RX_RATE, SIGNAL, FREQ. No throws
// unless `out` must grow.
void append_rx_frame(std::vector<std::uint8_t>& out, std::uint16_t family_id, const RxFrame& rx);

// Appends HWSIM_CMD_TX_INFO_FRAME answering `tx` (a frame the kernel sent us): its
// ADDR_TRANSMITTER and COOKIE, FLAGS with HWSIM_TX_STAT_ACK as `outcome` says, SIGNAL,
// TX_INFO rewritten to the attempts spent (by default "acknowledged at the first attempt
// of the first rate", vwifi's answer to everything), and TX_INFO_FLAGS if present.
// Returns false (and appends nothing) if `tx` lacks what the kernel requires.
bool append_tx_status(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                      const HwsimMessage& tx, const TxOutcome& outcome = {},
                      std::int32_t signal_dbm = kAckSignalDbm);

// Appends a TX status the relay decided (a wire message, power byte first, as
// append_tx_status_message writes it) as a netlink message for our kernel: the same
// attributes under our family id. Returns false if it is not such a message.
bool append_relay_tx_status(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                            std::span<const std::uint8_t> wire_message);

// The RX rate index for a frame: the first attempted rate of its TX_INFO, or 0 when that is
// absent or outside the legacy rate table of the band (12 rates at 2.4 GHz, 8 above), since
// mac80211_hwsim rejects RX_RATE >= the band's number of bitrates.
std::uint32_t rx_rate_for(std::span<const std::uint8_t> tx_info, std::uint32_t freq_mhz) noexcept;

// Appends, for every radio of `radios` but the sender (radios[sender_index]), one
// HWSIM_CMD_FRAME carrying the frame `tx` sent, at kLocalSignalDbm on the frame's channel:
// radios of the same VM hear each other directly, not through the relay. `hwsim_addr_of`
// maps a radio to its hwsim address (addresses[1]). Returns how many messages were appended
// (none when `tx` carries no frame). No throws unless `out` must grow.
template <typename Radios, typename HwsimAddrOf = std::identity>
std::size_t append_local_forwards(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                                  const HwsimMessage& tx, const Radios& radios,
                                  std::size_t sender_index, HwsimAddrOf hwsim_addr_of = {}) {
  if (tx.frame.empty()) return 0;
  const std::uint32_t freq_mhz = tx.freq_or_default();
  RxFrame rx{.frame = tx.frame,
             .rx_rate = rx_rate_for(tx.tx_info, freq_mhz),
             .signal_dbm = kLocalSignalDbm,
             .freq_mhz = freq_mhz};
  std::size_t appended = 0;
  for (std::size_t i = 0; i < radios.size(); ++i) {
    if (i == sender_index) continue;
    rx.receiver = std::invoke(hwsim_addr_of, radios[i]);
    append_rx_frame(out, family_id, rx);
    ++appended;
  }
  return appended;
}

}  // namespace vmesh::wire
