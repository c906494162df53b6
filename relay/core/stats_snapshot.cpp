#include "relay/core/stats_snapshot.hpp"

namespace vmesh::relay {

std::vector<LinkSample> link_samples(const LinkCounters& counters,
                                     const medium::Topology& topology) {
  std::vector<LinkSample> out;
  const auto n = static_cast<medium::NodeId>(counters.node_count());
  for (medium::NodeId from = 0; from < n; ++from) {
    for (medium::NodeId to = 0; to < n; ++to) {
      const LinkCounter& c = counters.at(from, to);
      if (from == to || (c.sent == 0 && c.dropped[static_cast<int>(DropReason::deaf)] == 0))
        continue;
      out.push_back({from, to, topology.nodes[from].name, topology.nodes[to].name, c, 0});
    }
  }
  return out;
}

}  // namespace vmesh::relay
