// A human-readable summary of a topology: nodes, who hears whom at the start with the
// link parameters and the medium's timeline. The launcher's scenario summary (vmesh-topology
// check) extends it with the VM settings, the run actions and the checks.
#pragma once

#include <string>
#include <vector>

#include "medium/topology.hpp"

namespace vmesh::medium {

// Multi-line text, '\n'-terminated; node_notes[i], when given, ends node i's line (" memory
// 512 MiB"). Does not throw other than std::bad_alloc.
std::string summarize_topology(const Topology& topology,
                               const std::vector<std::string>& node_notes = {});

}  // namespace vmesh::medium
