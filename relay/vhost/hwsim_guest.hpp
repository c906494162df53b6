// What the relay does in place of a guest's agent when the guest's mac80211_hwsim talks
// virtio to it: each message the guest puts on its TX queue becomes a wire message for the
// router; each frame the medium delivers becomes one HWSIM_CMD_FRAME per radio of that
// guest; and every frame the guest sent gets its TX status: the medium's verdict for the
// frames it decides (unicast, wire::wants_medium_ack), "acknowledged" for the others
// (group-addressed frames are never acknowledged on air; hwsim wants a status anyway).
//
// Radios are learned from the transmitter addresses the guest uses, starting with the one
// every mac80211_hwsim gives its first radio, so a guest is reachable before it sends.
// Two guests may use the same hwsim addresses: deliveries are per guest, never matched
// against the sender's addresses. Sans-I/O; messages for the guest are appended to a
// caller's buffer, one netlink message each (one RX buffer each).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/wire/mac_address.hpp"
#include "base/wire/wire_format.hpp"
#include "relay/vhost/split_vring.hpp"

namespace vmesh::vhost {

// The hwsim address (addresses[1]) of the first radio mac80211_hwsim creates by itself:
// permanent address 02:00:00:00:00:00 with 0x40 set in the first octet.
inline constexpr wire::MacAddress kFirstHwsimRadio{{0x42, 0x00, 0x00, 0x00, 0x00, 0x00}};
// A guest with more radios than this is refusing to be a reasonable guest.
inline constexpr std::size_t kMaxGuestRadios = 64;

enum class GuestTxKind : std::uint8_t {
  frame,      // wire_message is ready for the router
  ignored,    // a well-formed message that is not a frame (nothing to route)
  malformed,  // not one valid hwsim netlink message: counted, never routed
};

struct GuestTx {
  GuestTxKind kind = GuestTxKind::malformed;
  std::span<const std::uint8_t> wire_message;  // [power][netlink message] in wire_out
  bool medium_status = false;                  // the router's TX status answers this frame
};

struct GuestCounters {
  std::uint64_t tx_frames = 0;       // frames taken from the TX queue
  std::uint64_t tx_malformed = 0;    // TX buffers that held no valid message
  std::uint64_t tx_ignored = 0;      // valid messages that are not frames
  std::uint64_t local_statuses = 0;  // TX statuses answered here (not the medium's)
  std::uint64_t medium_statuses = 0;
  std::uint64_t local_forwards = 0;  // RX frames for the sender's sibling radios
  std::uint64_t rx_frames = 0;       // RX frames built from deliveries (one per radio)
};

// Copies the one netlink message a TX chain carries (its first nlmsg_len readable bytes;
// hwsim hands the whole skb buffer, which is longer) behind a power byte into `wire_out`
// (cleared first). False when the chain's bytes cannot hold such a message. No throws
// except bad_alloc.
bool copy_tx_message(const DescriptorChain& chain, std::int8_t power_dbm,
                     std::vector<std::uint8_t>& wire_out);

// Writes `message` into the chain's writable buffers in order. The bytes written, or
// nullopt (nothing useful written) when the buffers are too small. No throws.
std::optional<std::uint32_t> write_rx_message(DescriptorChain& chain,
                                              std::span<const std::uint8_t> message) noexcept;

// The netlink messages of a buffer filled by HwsimGuest, one at a time: the length of the
// first (its nlmsg_len, aligned), or 0 when `bytes` holds no complete message.
std::size_t first_message_bytes(std::span<const std::uint8_t> bytes) noexcept;

class HwsimGuest {
 public:
  explicit HwsimGuest(std::int8_t tx_power_dbm = wire::kDefaultTxPowerDbm);

  // One TX chain: its message into `wire_out` for the router; the local TX status (when
  // the medium does not decide it) and copies for the sender's other radios appended to
  // `guest_out`. No throws except bad_alloc.
  GuestTx on_tx(const DescriptorChain& chain, std::vector<std::uint8_t>& wire_out,
                std::vector<std::uint8_t>& guest_out);

  // A frame the medium delivers to this guest (a sender's wire message, validated) with
  // the signal it arrives with: one RX message per radio. No throws except bad_alloc.
  void on_delivery(std::span<const std::uint8_t> wire_message, std::int8_t signal_dbm,
                   std::vector<std::uint8_t>& guest_out);

  // The medium's TX status for one of this guest's frames (the router's message, power
  // byte first). False when it is not one. No throws except bad_alloc.
  bool on_medium_status(std::span<const std::uint8_t> wire_status,
                        std::vector<std::uint8_t>& guest_out);

  const std::vector<wire::MacAddress>& radios() const noexcept { return radios_; }
  // The guest's device was reset (its driver unbound, the VM rebooted): the radios and the
  // family id it had are gone; back to the first radio only, the rest are learned again
  // from its next messages. Counters stay.
  void forget_radios();
  // The guest's hwsim family id (from its first frame; 0 before), put in its RX messages.
  std::uint16_t family_id() const noexcept { return family_id_; }
  const GuestCounters& counters() const noexcept { return counters_; }

  // What another relay learned of this guest (a handover): its family id and radios, in
  // their order, at most kMaxGuestRadios (the rest ignored). No empty list: the guest keeps
  // its first radio then. No throws except bad_alloc.
  void restore(std::uint16_t family_id, std::span<const wire::MacAddress> radios);

 private:
  std::optional<std::size_t> learn(const wire::MacAddress& transmitter);

  std::int8_t tx_power_dbm_;
  std::uint16_t family_id_ = 0;  // the guest's hwsim family id, from its first message
  std::vector<wire::MacAddress> radios_;
  GuestCounters counters_;
};

}  // namespace vmesh::vhost
