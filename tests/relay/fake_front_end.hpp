// A vhost-user front end standing in for QEMU in relay tests: it connects to a node's
// socket, negotiates as QEMU does, shares one memfd as the guest's memory and drives the
// two mac80211_hwsim queues (0: TX, 1: RX) the way the guest's virtio driver would, with
// real kick and call eventfds. Blocking, single-threaded; every wait has a timeout.
//
// Guest memory (kMemoryBytes, one region): the TX ring, the RX ring, then kQueueSize
// buffers of kBufferBytes per queue. Descriptor i of a queue always describes buffer i of
// that queue unless a test rewrites it (set_descriptor) to break the queue on purpose.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "relay/vhost/vhost_user_message.hpp"

namespace vmesh::test {

using Bytes = std::vector<std::uint8_t>;

struct UsedEntry {
  std::uint32_t head = 0;
  std::uint32_t written_bytes = 0;
};

class FakeFrontEnd {
 public:
  static constexpr std::uint32_t kQueueSize = 64;
  static constexpr std::size_t kBufferBytes = 4096;
  static constexpr std::size_t kMemoryBytes = 1 << 20;
  // Where the region sits for the guest (descriptor addresses) and in "QEMU" (ring addresses).
  static constexpr std::uint64_t kGuestBase = 0x40000000;
  static constexpr std::uint64_t kUserBase = 0x7f5500000000;

  // Connects to `socket_path`; throws std::runtime_error when it cannot.
  explicit FakeFrontEnd(const std::string& socket_path);
  ~FakeFrontEnd();
  FakeFrontEnd(const FakeFrontEnd&) = delete;
  FakeFrontEnd& operator=(const FakeFrontEnd&) = delete;

  // QEMU's device initialisation: features, protocol features, queue count, owner, and the
  // masked call and error eventfds of both queues. Throws when an answer is missing/wrong.
  void initialise();
  // The driver binding: SET_FEATURES, SET_MEM_TABLE (the memfd, answered by REPLY_ACK),
  // then per queue NUM/BASE/ADDR/KICK/CALL and SET_VRING_ENABLE 1. Every RX buffer is made
  // available first, as the driver fills its RX queue. Throws on a missing answer.
  void start();
  // initialise() + start().
  void bring_up();
  // Before start(): also negotiate VIRTIO_RING_F_EVENT_IDX, and from then on behave as the
  // Linux driver does with it: kick only when the back end's avail_event asks for it, and
  // keep used_event at the next used entry wanted (one call per batch).
  void use_event_idx() { event_idx_ = true; }
  // SET_MEM_TABLE with the memfd, waiting for its REPLY_ACK (QEMU sends it again whenever
  // the guest's memory map changes, rings running). Throws unless acknowledged.
  void send_mem_table();
  // QEMU's stop of one queue: SET_VRING_ENABLE 0, then GET_VRING_BASE. Returns the index
  // the back end would read next; throws without an answer.
  std::uint16_t stop_queue(std::uint32_t queue);
  // QEMU's start of a stopped queue: NUM, BASE (`avail_base`, what stop_queue returned),
  // ADDR, KICK, CALL with the same eventfds; then enable_queue (SET_VRING_ENABLE 1). Each
  // waits until the back end handled it.
  void restart_queue(std::uint32_t queue, std::uint16_t avail_base);
  void enable_queue(std::uint32_t queue);

  // Protocol: one message (fds as SCM_RIGHTS with its first byte) or raw bytes.
  void send_message(const vhost::Message& message, std::span<const int> fds = {});
  void send_bytes(std::span<const std::uint8_t> bytes);
  // The payload of the next reply to `request`; throws after timeout_ms or on EOF.
  Bytes read_reply(vhost::Request request, int timeout_ms = 2000);
  // A round trip (GET_FEATURES): every message sent before it has been handled.
  void sync();
  // True when the relay closed the socket within timeout_ms (anything still unread dropped).
  bool wait_closed(int timeout_ms);

  // Copies one netlink message (as the guest's hwsim builds it) into the next TX buffer,
  // makes it available with the whole buffer's length (hwsim hands over its skb buffer,
  // which is longer than the message) and kicks. Returns the descriptor head used.
  std::uint16_t transmit(std::span<const std::uint8_t> netlink_message);
  // Raw ring access for tests that break the queue.
  void set_descriptor(std::uint32_t queue, std::uint16_t index, std::uint64_t guest_addr,
                      std::uint32_t len, std::uint16_t flags, std::uint16_t next = 0);
  void make_available(std::uint32_t queue, std::uint16_t head);
  void kick(std::uint32_t queue);
  // Reads the queue's kick eventfd as a back end would (non-blocking): the count of kicks
  // nobody has read yet, 0 when the back end took them all.
  std::uint64_t take_unread_kicks(std::uint32_t queue);
  // Kicks sent on `queue` so far (each an eventfd write).
  std::uint32_t kicks(std::uint32_t queue) const { return queues_[queue].kicks; }
  // Guest physical address of buffer `index` of `queue`.
  static std::uint64_t buffer_gpa(std::uint32_t queue, std::uint16_t index);

  // Waits until the back end signals the queue's call eventfd; false after timeout_ms.
  bool wait_call(std::uint32_t queue, int timeout_ms);
  // Used entries published since the last call, oldest first.
  std::vector<UsedEntry> take_used(std::uint32_t queue);
  // Used entries of `queue` until `count` arrived or timeout_ms passed.
  std::vector<UsedEntry> wait_used(std::uint32_t queue, std::size_t count, int timeout_ms);
  // Messages the back end wrote into RX buffers until `count` arrived or timeout_ms passed,
  // each behind a 0 power byte so wire::read_hwsim_message reads it. Buffers are posted
  // again as they are read.
  std::vector<Bytes> receive(std::size_t count, int timeout_ms);

 private:
  struct Queue {
    UniqueFd kick;
    UniqueFd call;
    std::uint16_t avail_idx = 0;  // the driver's next available index
    std::uint16_t used_seen = 0;  // used entries already taken
    std::uint16_t next_tx_buffer = 0;
    std::uint32_t kicks = 0;
  };
  // After make_available from `old_avail_idx` on: kick, or with EVENT_IDX only when the back
  // end's avail_event lies in the range just published.
  void notify(std::uint32_t queue, std::uint16_t old_avail_idx);
  void set_up_queue(std::uint32_t queue, std::uint16_t avail_base);
  std::uint8_t* desc(std::uint32_t queue);
  std::uint8_t* avail(std::uint32_t queue);
  std::uint8_t* used(std::uint32_t queue);
  std::uint8_t* buffer(std::uint32_t queue, std::uint16_t index);
  std::uint64_t u64_request(vhost::Request request);
  void send_u64(vhost::Request request, std::uint64_t value, std::uint32_t flags = 0);

  UniqueFd socket_;
  UniqueFd memfd_;
  void* mapping_ = nullptr;
  std::uint8_t* memory_ = nullptr;  // the region's first byte inside the mapping
  Queue queues_[2];
  std::vector<UniqueFd> init_fds_;  // QEMU's masked call and error eventfds
  bool event_idx_ = false;
};

}  // namespace vmesh::test
