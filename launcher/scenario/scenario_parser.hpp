// Reading a whole topology file (docs/topology-format.md) for a run: the medium parser reads
// the medium's part and leaves medium::scenario_keys() to the scenario readers here, so every
// unknown key of the file is still rejected, with file:line:column.
#pragma once

#include <filesystem>
#include <string_view>

#include "launcher/scenario/scenario.hpp"
#include "medium/topology_error.hpp"

namespace vmesh::launcher {

// Reads and validates a topology file. Throws medium::TopologyError ("file:line:col:
// message") for syntax errors, unknown keys or names, out-of-range values and unreadable
// files.
Scenario load_scenario_file(const std::filesystem::path& path);

// The same for text in memory; source_name is used as the file in error messages.
// Throws medium::TopologyError.
Scenario parse_scenario(std::string_view toml_text, std::string_view source_name);

}  // namespace vmesh::launcher
