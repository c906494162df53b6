// Commands on a run started by `vmesh up`: down, status, ssh, exec, logs, link.
#pragma once

#include "launcher/cli/cli_options.hpp"

namespace vmesh::launcher {

// Each returns vmesh's exit code and prints its own errors.
int command_down(const CliOptions& options);
int command_status(const CliOptions& options);
int command_ssh(const CliOptions& options);
int command_exec(const CliOptions& options);
int command_logs(const CliOptions& options);
// `link set A B ...`: one text command on the relay's control port; prints its reply.
int command_link(const CliOptions& options);

}  // namespace vmesh::launcher
