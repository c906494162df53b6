// Who hears whom as a Graphviz graph: nodes, and an edge per pair that can hear each
// other at the start of the run, labelled with the link's parameters (and, when counters
// of a live run are given, the measured delivery ratio).
#pragma once

#include <map>
#include <string>
#include <utility>

#include "medium/topology.hpp"

namespace vmesh::medium {

struct MeasuredLink {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
};
// Keyed by (from, to) node names.
using MeasuredLinks = std::map<std::pair<std::string, std::string>, MeasuredLink>;

// DOT text. A pair with identical parameters both ways is one undirected edge; otherwise
// each direction that hears is its own arrow. Does not throw except bad_alloc.
std::string topology_to_dot(const Topology& topology, const MeasuredLinks& measured = {});

// Reads the per-link counters vmesh-relay writes (--stats-file, or `stats` on the control
// port). Unknown content gives an empty map. Does not throw except bad_alloc.
MeasuredLinks parse_relay_stats(const std::string& json);

}  // namespace vmesh::medium
