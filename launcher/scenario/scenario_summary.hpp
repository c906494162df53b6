// A human-readable summary of a whole topology file: the medium's summary (nodes with their
// VM settings, who hears whom, the medium's events), then the run actions and the checks.
// What `vmesh-topology check` prints.
#pragma once

#include <string>

#include "launcher/scenario/scenario.hpp"

namespace vmesh::launcher {

// Multi-line text, '\n'-terminated. Does not throw other than std::bad_alloc.
std::string summarize_scenario(const Scenario& scenario);

}  // namespace vmesh::launcher
