// vmesh's TX-status extension of the vwifi stream: the medium, not the sender's agent,
// says whether a unicast frame was acknowledged and after how many attempts. Spoken only
// on the relay's TX-status port (default 8215), so stock vwifi peers never see it:
//   relay -> agent, first message:  hello   [0][nlmsghdr][genl cmd kVmeshHelloCmd, version 1]
//   agent -> relay, once, to accept: hello   (same shape; frames after it get statuses)
//   relay -> agent, per such frame:  [0][HWSIM_CMD_TX_INFO_FRAME as mac80211_hwsim wants it]
// docs/relay.md ("TX status") describes the exchange.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/wire/hwsim_message.hpp"

namespace vmesh::wire {

// genl command of the hello (outside hwsim's command numbers, which end at 8 or so).
inline constexpr std::uint8_t kVmeshHelloCmd = 0x76;
inline constexpr std::uint8_t kTxStatusVersion = 1;
inline constexpr std::uint16_t kDefaultTxStatusPort = 8215;
// Bytes of one struct hwsim_tx_rate { s8 idx; u8 count; }.
inline constexpr std::size_t kTxRateBytes = 2;

// Appends a hello message (power byte first). No throws unless `out` must grow.
void append_hello(std::vector<std::uint8_t>& out);

// Whether a message decode_message() accepted is a hello of a version we speak.
bool is_hello(std::span<const std::uint8_t> wire_message) noexcept;

// Whether the medium decides this frame's acknowledgement: an HWSIM_CMD_FRAME carrying
// what a TX status needs (transmitter, flags, TX_INFO, cookie), individually addressed
// (addr1's group bit clear) and not sent with HWSIM_TX_CTL_NO_ACK. Group-addressed frames
// are never acknowledged on air; their status stays with the sender's agent.
bool wants_medium_ack(const HwsimMessage& tx) noexcept;

// Attempts the sender planned: the sum of the counts of the valid (idx >= 0) rates.
std::uint32_t planned_attempts(std::span<const std::uint8_t> tx_info) noexcept;

struct TxOutcome {
  bool acked = true;
  std::uint32_t attempts = 1;  // attempts spent, >= 1; with !acked, every planned one
};

// Rewrites a hwsim_tx_rate array in place so that it reports `attempts` attempts spent
// along the planned retry chain, the rest unused (idx -1): what rate control reads back.
void spend_attempts(std::span<std::uint8_t> tx_info, std::uint32_t attempts) noexcept;

// Appends a TX status for `tx` as a wire message (power byte 0, nlmsg_type 0: the agent
// puts its own family id in): ADDR_TRANSMITTER, FLAGS (| HWSIM_TX_STAT_ACK when acked),
// SIGNAL, TX_INFO after spend_attempts, COOKIE, TX_INFO_FLAGS if tx had them.
// Returns false and appends nothing when tx lacks what the kernel requires.
bool append_tx_status_message(std::vector<std::uint8_t>& out, const HwsimMessage& tx,
                              const TxOutcome& outcome, std::int32_t ack_signal_dbm);

}  // namespace vmesh::wire
