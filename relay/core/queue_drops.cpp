#include "relay/core/queue_drops.hpp"

#include <algorithm>

namespace vmesh::relay {

LinkCounters reported_counters(const LinkCounters& decided, const QueueDrops& queue) {
  LinkCounters out = decided;
  const std::size_t n = std::min(decided.node_count(), queue.node_count());
  for (medium::NodeId from = 0; from < n; ++from) {
    for (medium::NodeId to = 0; to < n; ++to) {
      const std::uint64_t frames = queue.frames(from, to);
      if (frames == 0) continue;
      LinkCounter& c = out.at(from, to);
      c.delivered -= std::min(c.delivered, frames);
      c.bytes_delivered -= std::min(c.bytes_delivered, queue.bytes(from, to));
      c.dropped[static_cast<int>(DropReason::queue)] += frames;
    }
  }
  return out;
}

}  // namespace vmesh::relay
