// Reading a topology from TOML (the format is described in docs/topology-format.md).
#pragma once

#include <filesystem>
#include <string_view>

#include "medium/topology.hpp"
#include "medium/topology_error.hpp"

namespace vmesh::medium {

// Reads and validates a topology file. Throws TopologyError ("file:line:col: message") for
// syntax errors, unknown keys or names, out-of-range values and unreadable files.
Topology load_topology_file(const std::filesystem::path& path);

// The same for text in memory; source_name is used as the file in error messages.
// Throws TopologyError.
Topology parse_topology(std::string_view toml_text, std::string_view source_name);

}  // namespace vmesh::medium
