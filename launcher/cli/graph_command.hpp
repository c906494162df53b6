// `vmesh graph`: who hears whom as SVG, PNG or DOT; with --live, each link labelled with
// what the relay of a run started by `vmesh up` measured.
#pragma once

#include "launcher/cli/cli_options.hpp"

namespace vmesh::launcher {

// Returns vmesh's exit code (0 written, 1 render or relay failure, 2 usage or topology
// error) and prints its own errors.
int command_graph(const CliOptions& options);

}  // namespace vmesh::launcher
