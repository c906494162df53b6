// A human-readable summary of a topology: nodes, who hears whom at the start with the
// link parameters, the timeline and the checks. Used by `vmesh-topology check`.
#pragma once

#include <string>

#include "medium/topology.hpp"

namespace vmesh::medium {

// Multi-line text, '\n'-terminated. Does not throw other than std::bad_alloc.
std::string summarize_topology(const Topology& topology);

}  // namespace vmesh::medium
