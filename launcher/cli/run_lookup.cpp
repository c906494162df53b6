#include "launcher/cli/run_lookup.hpp"

#include <fmt/format.h>

namespace vmesh::launcher {

std::string run_name_of(const CliOptions& options) {
  return options.run_name.empty() ? "default" : options.run_name;
}

std::optional<RunState> load_or_report(const CliOptions& options) {
  try {
    return load_run_state(run_dir_for(run_name_of(options)));
  } catch (const std::exception& e) {
    fmt::print(stderr, "vmesh: {}\n", e.what());
    return std::nullopt;
  }
}

}  // namespace vmesh::launcher
