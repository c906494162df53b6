// The medium's [[event]] timeline. Actions listed in ForeignKeys::event_actions are skipped
// after their common keys (at, action) are checked: their owner reads them.
#pragma once

#include "medium/toml_reader.hpp"
#include "medium/topology_parser.hpp"

namespace vmesh::medium {

// Appends the events of the [[event]] array `node` to topology.events, sorted by time.
// Throws TopologyError.
void read_events(const TomlReader& reader, const toml::node& node, const ForeignKeys& foreign,
                 Topology& topology);

}  // namespace vmesh::medium
