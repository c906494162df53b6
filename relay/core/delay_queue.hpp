// Deliveries waiting for their link delay: a min-heap by due time; equal due times keep
// insertion order, so a link's frames leave in the order the medium decided. Counts the
// entries waiting per directed link for the stats.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include "medium/topology.hpp"

namespace vmesh::relay {

struct DelayedDelivery {
  std::uint64_t due_us = 0;
  std::uint64_t sequence = 0;
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;  // the receiver's slot generation; a closed receiver is skipped
  std::int8_t power_dbm = 0;
  medium::NodeId from_node = 0;
  medium::NodeId to_node = 0;
  std::uint32_t frame_bytes = 0;  // the 802.11 frame, for the byte counters
  std::shared_ptr<const std::vector<std::uint8_t>> message;  // shared by a frame's receivers
};

class DelayQueue {
 public:
  // Sizes the per-link counts for node_count nodes (topology mode).
  void track_links(std::size_t node_count) {
    node_count_ = node_count;
    waiting_.assign(node_count * node_count, 0);
  }
  void push(DelayedDelivery d) {
    d.sequence = next_sequence_++;
    if (tracked(d)) ++waiting_[std::size_t{d.from_node} * node_count_ + d.to_node];
    heap_.push(std::move(d));
  }
  std::optional<std::uint64_t> next_due_us() const {
    if (heap_.empty()) return std::nullopt;
    return heap_.top().due_us;
  }
  // Removes and returns the earliest entry if it is due at now_us.
  std::optional<DelayedDelivery> pop_due(std::uint64_t now_us) {
    if (heap_.empty() || heap_.top().due_us > now_us) return std::nullopt;
    DelayedDelivery d = heap_.top();
    heap_.pop();
    if (tracked(d)) --waiting_[std::size_t{d.from_node} * node_count_ + d.to_node];
    return d;
  }
  std::size_t size() const { return heap_.size(); }
  // Entries waiting on the link from -> to (0 when links are not tracked).
  std::uint32_t waiting(medium::NodeId from, medium::NodeId to) const {
    return from < node_count_ && to < node_count_ ? waiting_[std::size_t{from} * node_count_ + to]
                                                  : 0;
  }

 private:
  struct Later {
    bool operator()(const DelayedDelivery& a, const DelayedDelivery& b) const {
      return a.due_us != b.due_us ? a.due_us > b.due_us : a.sequence > b.sequence;
    }
  };
  std::priority_queue<DelayedDelivery, std::vector<DelayedDelivery>, Later> heap_;
  bool tracked(const DelayedDelivery& d) const {
    return d.from_node < node_count_ && d.to_node < node_count_;
  }

  std::uint64_t next_sequence_ = 0;
  std::size_t node_count_ = 0;
  std::vector<std::uint32_t> waiting_;  // [from * node_count_ + to]
};

}  // namespace vmesh::relay
