// Commands that change a running mesh from outside (a run started by `vmesh up`, or a
// `vmesh run ... -- COMMAND` while COMMAND runs): node kill|start, relay restart, capture
// start|stop, and the relay's counters (stats).
#pragma once

#include "launcher/cli/cli_options.hpp"

namespace vmesh::launcher {

// Each returns vmesh's exit code and prints its own errors.
int command_node(const CliOptions& options);
int command_relay(const CliOptions& options);
int command_capture(const CliOptions& options);
int command_stats(const CliOptions& options);

}  // namespace vmesh::launcher
