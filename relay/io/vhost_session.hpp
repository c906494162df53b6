// One QEMU front end on a node's vhost-user socket: the protocol (features, memory table,
// vrings, kick/call eventfds), the guest memory it maps, the two hwsim queues and the RX
// messages waiting for buffers. The relay's loop owns the socket and the io_uring reads of
// the kick eventfds; this class does the rest synchronously (the front end sends a control
// message and waits for its answer, so nothing here blocks in practice).
//
// A guest that breaks its queues (bad descriptors, loops, addresses outside its memory)
// gets a fault: the caller closes this session only. Nothing a front end sends can make
// this class touch memory outside what it mapped for that front end.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "relay/vhost/guest_memory.hpp"
#include "relay/vhost/handover_record.hpp"
#include "relay/vhost/hwsim_guest.hpp"
#include "relay/vhost/split_vring.hpp"
#include "relay/vhost/vhost_user_message.hpp"
#include "relay/vhost/virtio_features.hpp"

namespace vmesh::relay {

// Offered to the front end. EVENT_IDX spares the guest a kick per RX buffer it posts
// again (each one an exit of the emulated vCPU): the relay asks for RX kicks only when it
// found the queue empty, and for TX kicks once it has taken every frame. No indirect
// descriptors: hwsim posts one buffer per message.
inline constexpr std::uint64_t kVhostOfferedFeatures =
    vhost::feature_bit(vhost::kVirtioFVersion1) |
    vhost::feature_bit(vhost::kVhostUserFProtocolFeatures) |
    vhost::feature_bit(vhost::kVirtioRingFEventIdx);
inline constexpr std::uint64_t kVhostOfferedProtocolFeatures =
    vhost::feature_bit(vhost::kProtocolFMq) | vhost::feature_bit(vhost::kProtocolFReplyAck) |
    vhost::feature_bit(vhost::kProtocolFResetDevice);

// What reading the socket changed, for the loop to act on.
struct VhostEvents {
  bool closed = false;  // the front end hung up (or the socket failed): close the session
  std::string error;    // a protocol violation: close the session and log this
  std::array<bool, vhost::kHwsimQueueCount> kick_changed{};  // (re)arm or drop the kick read
  bool rx_ready = false;  // the RX queue may take pending messages now
  // The TX queue was enabled: buffers made available meanwhile wait for no further kick
  // (the guest's kick may have been read while the queue was disabled).
  bool tx_ready = false;
};

struct VhostCounters {
  std::uint64_t messages = 0;         // vhost-user messages handled
  std::uint64_t rx_dropped_full = 0;  // RX messages dropped: pending bytes over the bound
  std::uint64_t rx_too_small = 0;     // RX buffers too small for a message (message dropped)
  std::uint64_t calls = 0;            // call eventfd signals
};

class VhostSession {
 public:
  // `pending_limit_bytes`: RX messages kept while the guest has no free RX buffer; beyond
  // it deliveries are dropped (a guest that stops reading loses frames, as on air).
  VhostSession(std::size_t pending_limit_bytes, std::int8_t tx_power_dbm);
  ~VhostSession();
  VhostSession(const VhostSession&) = delete;
  VhostSession& operator=(const VhostSession&) = delete;

  // Reads and answers every complete message waiting on the (non-blocking) socket.
  VhostEvents on_readable(int socket_fd);

  // The next available index a queue reads (or would read, once started).
  std::uint16_t next_avail(std::uint32_t queue) const {
    return queues_[queue].ring.started() ? queues_[queue].ring.last_avail_idx()
                                         : queues_[queue].config.avail_base;
  }
  // Kick fd of a queue, or -1 when it has none (not set, or the ring was stopped).
  int kick_fd(std::uint32_t queue) const { return queues_[queue].kick.get(); }
  // Whether frames may move on a queue: started by its kick, enabled, not faulted.
  bool queue_live(std::uint32_t queue) const;

  // Takes every chain the guest made available on the TX queue; `route` gets each frame
  // as a wire message (and whether the medium answers its TX status). Returns false and
  // sets fault() when the guest broke the queue.
  template <typename Route>
  bool drain_tx(Route&& route);

  // Messages for the guest: a delivery, or the medium's TX status.
  // False when the delivery was dropped (too much already waiting for the guest).
  bool deliver(std::span<const std::uint8_t> wire_message, std::int8_t signal_dbm);
  void medium_status(std::span<const std::uint8_t> wire_status);

  // Moves pending RX messages into free RX buffers and signals the guest once. False (and
  // fault()) when the guest broke the RX queue.
  bool flush_rx();
  bool has_pending_rx() const { return pending_rx_.size() > pending_head_; }

  // Signals the TX queue's used buffers not signalled yet (the loop's periodic tick).
  void signal_owed_tx();

  const std::string& fault() const { return fault_; }
  const VhostCounters& counters() const { return counters_; }
  const vhost::HwsimGuest& guest() const { return guest_; }

  // Takes ownership of `fd` out of `fds` (fds received beside a message or a handover
  // record); none when it is not there.
  static UniqueFd take_fd(std::vector<UniqueFd>& fds, int fd);

  // Handing the front end to a new relay (vhost_session_handover.cpp).
  //
  // What the new relay needs to serve on: signals the TX buffers still owed, stops the
  // rings (their next available indexes go in the state) and lends every fd (memory,
  // eventfds, a half-read message's): they stay this session's and open until it goes.
  // The socket fd and node name are the caller's to fill in. Nothing moves afterwards.
  vhost::HandoverConnection hand_over();
  // Messages for the guest that found no RX buffer yet (lost when handing over).
  std::size_t pending_rx_messages() const;
  // The other side: serves on from a handed-over state. Maps the memory again from the
  // region fds, sets the queues up and starts those that ran at the indexes given,
  // restores the radios and the half-read input. Takes the fds the state names out of
  // `fds`. False, with `error` saying what was wrong, when the state cannot be served.
  bool take_over(const vhost::HandoverConnection& state, std::vector<UniqueFd>& fds,
                 std::string& error);
  // Returns every chain the guest made available on the TX queue while nobody served it as
  // used, without routing it (frames lost to the restart), and signals the guest. The count;
  // fault() is set when the guest broke the queue.
  std::uint32_t drop_pending_tx();

 private:
  struct Queue {
    vhost::VringConfig config;
    vhost::SplitVring ring;
    UniqueFd kick;
    UniqueFd call;
    UniqueFd err;  // kept only to hand over: a broken guest is logged and cut off instead
    bool enabled = false;
    bool call_pending = false;
  };
  struct Mapping {
    void* base = nullptr;
    std::size_t length = 0;
    UniqueFd fd;  // the region's fd, kept to hand the memory over
  };

  // Returns the reply bytes (maybe empty); sets error on a violation.
  std::vector<std::uint8_t> handle(vhost::Message& message, VhostEvents& events);
  // Maps the table's regions; takes their fds out of `fds`.
  bool set_mem_table(const vhost::MemoryTable& table, std::vector<UniqueFd>& fds,
                     std::string& error);
  void unmap_all();
  bool start_queue(std::uint32_t index, std::string& error);
  void stop_queue(std::uint32_t index);
  void reset();
  bool queue_fault(std::uint32_t index, const vhost::VringFault& fault);
  void signal_call(std::uint32_t index);
  // Queues `bytes` (whole RX messages) for the guest unless the backlog would pass the
  // pending limit plus `allowance_bytes`; false (counted) when dropped.
  bool take_chain_messages(std::vector<std::uint8_t>& bytes, std::size_t allowance_bytes);

  std::size_t pending_limit_bytes_;
  std::uint64_t features_ = 0;
  std::uint64_t protocol_features_ = 0;
  vhost::GuestMemory memory_;
  std::vector<Mapping> mappings_;
  std::array<Queue, vhost::kHwsimQueueCount> queues_;
  vhost::HwsimGuest guest_;
  // Socket input: bytes of a message not yet complete and the fds that came with them.
  std::vector<std::uint8_t> input_;
  std::vector<UniqueFd> input_fds_;
  // Netlink messages for the guest's RX queue, oldest first from pending_head_.
  std::vector<std::uint8_t> pending_rx_;
  std::size_t pending_head_ = 0;
  std::vector<std::uint8_t> guest_out_;  // scratch: messages a TX frame produced
  std::vector<std::uint8_t> wire_out_;   // scratch: one TX frame as a wire message
  vhost::DescriptorChain chain_;
  std::string fault_;
  VhostCounters counters_;
  std::uint32_t tx_used_unsignalled_ = 0;
};

// Used TX buffers are returned to the guest without an interrupt each: hwsim only frees
// the netlink messages it sent there, and an interrupt per frame costs an emulated guest
// far more than the memory. The guest is signalled once this many wait (half a 64-entry
// ring, so it never runs out of descriptors) or at the loop's next tick.
inline constexpr std::uint32_t kTxUsedPerSignal = 32;

// A guest that reads its RX queue slowly loses deliveries past the pending limit, but not
// the TX statuses of its own frames (and their copies for its other radios): hwsim would
// otherwise hold each such frame until its own timeout. This much room beyond the limit
// is kept for them (a TX status is about 100 bytes).
inline constexpr std::size_t kOwnMessagesAllowanceBytes = 64 * 1024;

template <typename Route>
bool VhostSession::drain_tx(Route&& route) {
  if (!queue_live(vhost::kHwsimQueueTx)) return true;
  Queue& q = queues_[vhost::kHwsimQueueTx];
  std::uint32_t taken = 0;
  while (true) {
    const vhost::PopResult popped = q.ring.pop(chain_);
    if (popped.status == vhost::PopStatus::empty) break;
    if (popped.status == vhost::PopStatus::error)
      return queue_fault(vhost::kHwsimQueueTx, popped.fault);
    guest_out_.clear();
    const vhost::GuestTx tx = guest_.on_tx(chain_, wire_out_, guest_out_);
    const vhost::VringFault used = q.ring.add_used(chain_.head, 0);
    if (!used.ok()) return queue_fault(vhost::kHwsimQueueTx, used);
    ++taken;
    take_chain_messages(guest_out_, kOwnMessagesAllowanceBytes);
    if (tx.kind == vhost::GuestTxKind::frame) route(tx.wire_message, tx.medium_status);
  }
  if (q.ring.publish_used()) {
    // publish_used said the guest wants to hear of these; it hears in a batch (above).
    tx_used_unsignalled_ += taken;
    if (tx_used_unsignalled_ >= kTxUsedPerSignal) signal_owed_tx();
  }
  return true;
}

}  // namespace vmesh::relay
