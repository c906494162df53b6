// The agent's frame logic without sockets:
//   kernel frame in  -> [power][the kernel's netlink message] for the relay,
//                       TX status for the kernel, and RX frames for the other local radios;
//   relay message in -> one HWSIM_CMD_FRAME per local radio for the kernel.
// With the relay's TX-status extension accepted (its hello), unicast frames are not
// acknowledged here: the relay's verdict is handed to the kernel instead, so mac80211
// sees lost frames as lost (retries, rate control) as on real air.
// Output goes to caller-owned buffers so the event loop can batch a whole wakeup into one
// write per socket. Nothing here allocates once the buffers have grown to their working size.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/wire/mac_address.hpp"
#include "relay/agent/pending_statuses.hpp"

namespace vmesh::agent {

struct LocalRadio {
  wire::MacAddress perm_addr;   // HWSIM_ATTR_PERM_ADDR it was created with
  wire::MacAddress hwsim_addr;  // the address hwsim keys it by (ADDR_TRANSMITTER / _RECEIVER)
};

struct PipelineCounters {
  std::uint64_t kernel_frames = 0;     // HWSIM_CMD_FRAME from our radios
  std::uint64_t relay_out_frames = 0;  // of those, queued for the relay
  std::uint64_t tx_status = 0;         // TX_INFO_FRAME replies built
  std::uint64_t local_forwards = 0;    // RX frames built for another local radio
  std::uint64_t relay_in_frames = 0;   // frames received from the relay
  std::uint64_t rx_delivered = 0;      // RX frames built from relay frames
  std::uint64_t own_echoes = 0;        // relay frames sent by one of our radios (ignored)
  std::uint64_t ignored = 0;           // other messages ignored (not a frame, no FRAME attr)
  std::uint64_t unknown_transmitter = 0;
  std::uint64_t kernel_acks = 0;    // NLMSG_ERROR with error 0 (or positive)
  std::uint64_t kernel_errors = 0;  // NLMSG_ERROR with error < 0 (a rejected message)
  std::uint64_t malformed = 0;
  std::uint64_t awaiting_medium = 0;  // unicast frames whose status the relay decides
  std::uint64_t medium_statuses = 0;  // statuses from the relay handed to the kernel
  std::uint64_t unanswered = 0;       // of those awaited, answered "not acked" here
                                      // (relay lost, overload, or skipped)
};

enum class RelayEventKind : std::uint8_t { frame, tx_status_on, tx_status, ignored };

enum class KernelEventKind : std::uint8_t { frame, ack, error, ignored, malformed };
struct KernelEvent {
  KernelEventKind kind = KernelEventKind::ignored;
  std::int32_t error = 0;                    // for `error`: -errno
  std::optional<std::size_t> learned_radio;  // a radio's hwsim address was learned from TX
};

class FramePipeline {
 public:
  // `radios` in creation order. No throws except allocation.
  FramePipeline(std::uint16_t family_id, std::vector<LocalRadio> radios, std::int8_t tx_power_dbm);

  // One netlink message read from the hwsim socket (not a wire message: no power byte).
  // relay_out == nullptr means no relay connection: the frame is still acknowledged and
  // forwarded locally. No throws except allocation.
  KernelEvent on_kernel_message(std::span<const std::uint8_t> nlmsg,
                                std::vector<std::uint8_t>* relay_out,
                                std::vector<std::uint8_t>& kernel_out);

  // One complete wire message ([power][netlink message]) that wire::decode_message accepted.
  // A hello offering TX status is accepted by appending our hello to relay_out (when
  // connected). No throws except allocation.
  RelayEventKind on_relay_message(std::span<const std::uint8_t> wire_message,
                                  std::vector<std::uint8_t>* relay_out,
                                  std::vector<std::uint8_t>& kernel_out);

  // The relay connection ended: TX status is off until the next hello, and every frame
  // still waiting for a verdict is reported to the kernel as not acknowledged (nobody
  // heard it acknowledged). Returns how many. No throws except allocation.
  std::size_t on_relay_lost(std::vector<std::uint8_t>& kernel_out);

  bool medium_acks() const noexcept { return medium_acks_; }

  const std::vector<LocalRadio>& radios() const noexcept { return radios_; }
  const PipelineCounters& counters() const noexcept { return counters_; }
  std::uint16_t family_id() const noexcept { return family_id_; }

 private:
  std::optional<std::size_t> radio_by_hwsim_addr(const wire::MacAddress& mac) const noexcept;
  std::optional<std::size_t> learn_radio(const wire::MacAddress& transmitter) noexcept;
  // TX status "not acknowledged, every planned attempt spent" for a frame of ours.
  void answer_unacked(const wire::HwsimMessage& tx, std::vector<std::uint8_t>& kernel_out);
  RelayEventKind on_relay_status(std::span<const std::uint8_t> wire_message,
                                 std::vector<std::uint8_t>& kernel_out);

  std::uint16_t family_id_;
  std::vector<LocalRadio> radios_;
  std::int8_t tx_power_dbm_;
  PipelineCounters counters_;
  std::vector<std::uint8_t> scratch_;  // a kernel frame as a wire message when there is no relay
  bool medium_acks_ = false;           // the relay's TX-status offer was accepted
  PendingStatuses pending_;
};

}  // namespace vmesh::agent
