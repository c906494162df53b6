// Finding the run a command names (--name RUN, "default" without) through its state.json.
#pragma once

#include <optional>
#include <string>

#include "launcher/cli/cli_options.hpp"
#include "launcher/run/run_state.hpp"

namespace vmesh::launcher {

std::string run_name_of(const CliOptions& options);

// The run's state, or nullopt after saying on stderr why there is none.
std::optional<RunState> load_or_report(const CliOptions& options);

}  // namespace vmesh::launcher
