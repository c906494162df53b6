// Deliveries the relay's own send queues refused after the router had delivered them,
// per directed link. The I/O layer counts them here; the router's counters stay as
// decided, and the stats combine both (reported_counters).
#pragma once

#include <cstdint>
#include <vector>

#include "relay/core/link_counters.hpp"

namespace vmesh::relay {

class QueueDrops {
 public:
  explicit QueueDrops(std::size_t node_count = 0)
      : node_count_(node_count),
        frames_(node_count * node_count),
        bytes_(node_count * node_count) {}

  // One delivery of a frame of frame_bytes on from -> to refused. Ignores ids out of range.
  void add(medium::NodeId from, medium::NodeId to, std::uint32_t frame_bytes) noexcept {
    if (from >= node_count_ || to >= node_count_) return;
    ++frames_[from * node_count_ + to];
    bytes_[from * node_count_ + to] += frame_bytes;
  }
  std::uint64_t frames(medium::NodeId from, medium::NodeId to) const {
    return frames_[from * node_count_ + to];
  }
  std::uint64_t bytes(medium::NodeId from, medium::NodeId to) const {
    return bytes_[from * node_count_ + to];
  }
  std::size_t node_count() const { return node_count_; }

 private:
  std::size_t node_count_;
  std::vector<std::uint64_t> frames_;
  std::vector<std::uint64_t> bytes_;
};

// The per-link counters the relay reports: the router's decisions with the deliveries its
// send queues refused moved from `delivered` to `dropped.queue`. Does not throw except
// bad_alloc.
LinkCounters reported_counters(const LinkCounters& decided, const QueueDrops& queue);

}  // namespace vmesh::relay
