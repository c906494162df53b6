// One split virtqueue seen from the device: takes the chains the driver made available,
// gives back host spans of their buffers, and returns used buffers with the length written.
// The guest is not trusted: every index, address and length it wrote is checked, and the
// first violation breaks this queue only (a sticky fault naming what was wrong) until it is
// started again. Never aborts, never reads or writes outside GuestMemory's regions.
//
// Not thread-safe: one owner (the relay's loop) per queue. Guest memory is shared with the
// guest's vCPUs, hence the acquire/release accesses to the ring indexes.
//
// Indirect descriptors (VIRTIO_RING_F_INDIRECT_DESC) are handled when `indirect` is set in
// the config (the feature was negotiated), refused otherwise: the table must lie in one
// memory region, be a non-zero multiple of 16 bytes holding at most kMaxQueueSize entries,
// its descriptor must not also have NEXT, and a table may not point to another table.
// VIRTIO_RING_F_EVENT_IDX is honoured both ways when `event_idx` is set: avail_event is kept
// at the next index the device will read (so the driver kicks for new buffers), and
// used_event decides whether the guest needs a call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "relay/vhost/guest_memory.hpp"
#include "relay/vhost/vring_layout.hpp"

namespace vmesh::vhost {

// What the front-end told us about the queue (SET_VRING_NUM/ADDR/BASE, negotiated features).
struct VringConfig {
  std::uint32_t size = 0;            // entries: a power of two, 1..kMaxQueueSize
  std::uint64_t desc_user_addr = 0;  // QEMU user addresses, as SET_VRING_ADDR gives them
  std::uint64_t avail_user_addr = 0;
  std::uint64_t used_user_addr = 0;
  std::uint16_t avail_base = 0;  // SET_VRING_BASE: the next available index to read
  bool event_idx = false;        // VIRTIO_RING_F_EVENT_IDX negotiated
  bool indirect = false;         // VIRTIO_RING_F_INDIRECT_DESC negotiated
};

enum class VringError : std::uint8_t {
  none,
  not_started,                // pop/push before start() (not sticky)
  bad_queue_size,             // size 0, not a power of two, or above kMaxQueueSize
  ring_misaligned,            // desc not 16-, avail not 2-, used not 4-byte aligned
  ring_outside_memory,        // a ring part is not inside one memory region
  avail_idx_jump,             // avail->idx ran more than the queue size ahead
  bad_head_index,             // avail ring entry >= queue size
  bad_next_index,             // a descriptor's next >= the size of its table
  chain_too_long,             // more descriptors than the table holds: a loop
  descriptor_outside_memory,  // a buffer not inside one memory region (or wrapping)
  writable_before_readable,   // a device-readable descriptor after a writable one
  indirect_not_negotiated,    // INDIRECT flag without VIRTIO_RING_F_INDIRECT_DESC
  indirect_with_next,         // INDIRECT and NEXT on the same descriptor
  indirect_nested,            // INDIRECT inside an indirect table
  indirect_bad_length,        // table length 0, not a multiple of 16, or too many entries
  indirect_outside_memory,    // the table is not inside one memory region
  push_without_pop,           // push with no chain in flight (the caller's bug)
  bad_used_head,              // push of a head >= queue size (the caller's bug)
};

// E.g. "descriptor chain longer than its table (a loop)".
std::string_view describe(VringError error) noexcept;

// A fault and its evidence: the offending index, idx or length (for ring_misaligned and
// ring_outside_memory, the part: 0 descriptor table, 1 available ring, 2 used ring), and
// for address faults the translation's own reason.
struct VringFault {
  VringError error = VringError::none;
  std::uint32_t value = 0;
  MemoryError memory = MemoryError::none;

  bool ok() const noexcept { return error == VringError::none; }
};

// The buffers of one available chain, device-readable first. The spans point into guest
// memory, which the guest can change at any time: copy what must stay consistent.
struct DescriptorChain {
  std::uint16_t head = 0;
  std::vector<std::span<const std::uint8_t>> readable;
  std::vector<std::span<std::uint8_t>> writable;
  std::uint64_t readable_bytes = 0;
  std::uint64_t writable_bytes = 0;

  // Empties the chain but keeps the vectors' capacity (reuse one chain per queue).
  void clear() noexcept;
};

enum class PopStatus : std::uint8_t { chain, empty, error };

struct PopResult {
  PopStatus status = PopStatus::empty;
  VringFault fault;
};

class SplitVring {
 public:
  // Checks and translates the ring's three parts through `memory`, reads the used ring's
  // idx as the starting point of used entries, and starts the queue (clearing any fault).
  // On failure the queue stays stopped. `memory` must outlive the queue's use and its
  // regions must not change while started (after a new SET_MEM_TABLE, start again).
  VringFault start(const GuestMemory& memory, const VringConfig& config) noexcept;

  // Stops the queue (GET_VRING_BASE) and returns the next available index it would have
  // read, which is what the front-end hands back in SET_VRING_BASE on restart.
  std::uint16_t stop() noexcept;

  bool started() const noexcept { return started_; }
  // The sticky fault that broke the queue, or none.
  const VringFault& fault() const noexcept { return fault_; }
  std::uint32_t size() const noexcept { return config_.size; }
  std::uint16_t last_avail_idx() const noexcept { return last_avail_; }
  // Used entries written so far (published or not), modulo 2^16.
  std::uint16_t used_idx() const noexcept { return used_; }
  // Chains popped and not yet pushed.
  std::uint32_t in_flight() const noexcept { return in_flight_; }

  // Takes the next available chain into `chain` (cleared first). empty when the driver has
  // made nothing new available; error (sticky) when the ring or the chain is bad. With
  // EVENT_IDX, an empty pop also asks the driver to kick for the next buffer, and checks
  // again afterwards so no buffer slips between the check and the request.
  // No throws except bad_alloc (the chain's vectors).
  PopResult pop(DescriptorChain& chain);

  // Writes a used entry (head of a popped chain, bytes written into its writable buffers)
  // without showing it to the driver yet.
  VringFault add_used(std::uint16_t head, std::uint32_t written_len) noexcept;

  // Publishes every entry added since the last publish (used->idx, release ordering) and
  // says whether the guest wants a call: by used_event with EVENT_IDX, else unless it set
  // VIRTQ_AVAIL_F_NO_INTERRUPT. False when nothing new was published. Signalling the call
  // eventfd is the caller's job.
  bool publish_used() noexcept;

  struct PushResult {
    VringFault fault;
    bool call_needed = false;
  };
  // add_used + publish_used for one chain.
  PushResult push(std::uint16_t head, std::uint32_t written_len) noexcept;

 private:
  PopResult fail(VringFault fault) noexcept;
  VringFault walk(std::uint16_t head, DescriptorChain& chain) const;
  std::uint16_t load_avail_idx() const noexcept;
  void store_avail_event(std::uint16_t value) noexcept;

  const GuestMemory* memory_ = nullptr;
  VringConfig config_;
  std::uint8_t* desc_ = nullptr;
  std::uint8_t* avail_ = nullptr;
  std::uint8_t* used_ring_ = nullptr;
  bool started_ = false;
  VringFault fault_;
  std::uint16_t last_avail_ = 0;
  std::uint16_t used_ = 0;            // next used entry to write
  std::uint16_t published_used_ = 0;  // used->idx as last published
  std::uint32_t in_flight_ = 0;
};

}  // namespace vmesh::vhost
