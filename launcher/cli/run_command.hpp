// `vmesh run` and `vmesh up`: from a topology file to a running (and, for run, checked and
// torn down) mesh.
#pragma once

#include "launcher/cli/cli_options.hpp"
#include "launcher/run/mesh_run.hpp"

namespace vmesh::launcher {

// Exit codes of vmesh.
inline constexpr int kExitPassed = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

// vmesh run. Returns the exit code; prints the report.
int command_run(const CliOptions& options, const ToolPaths& tools);
// vmesh up: like run up to a formed mesh, then leaves it running with state.json saved.
int command_up(const CliOptions& options, const ToolPaths& tools);

}  // namespace vmesh::launcher
