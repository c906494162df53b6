// Reading a topology from TOML (the format is described in docs/topology-format.md).
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "medium/topology.hpp"
#include "medium/topology_error.hpp"

namespace vmesh::medium {

// Parts of a topology file that a higher layer reads: the medium parser accepts them where
// they stand without looking inside (their owner validates them) and still rejects every
// other unknown key.
struct ForeignKeys {
  std::vector<std::string_view> tables;         // top-level tables, e.g. "check"
  std::vector<std::string_view> node_keys;      // keys of a [[node]]
  std::vector<std::string_view> event_actions;  // values of an [[event]]'s action
  std::vector<std::string_view> medium_keys;    // keys of [medium], e.g. "transport"
};

// What the launcher's scenario owns (launcher/scenario): [[check]], [image], the VM settings of a
// [[node]] (memory_mb, radios, profile, image, provision), the run actions (node_kill,
// node_start, relay_restart) and [medium] transport (how the guests reach the relay). The default
// for every reader of a whole topology file.
const ForeignKeys& scenario_keys();

// Reads and validates a topology file. Throws TopologyError ("file:line:col: message") for
// syntax errors, unknown keys or names, out-of-range values and unreadable files.
Topology load_topology_file(const std::filesystem::path& path,
                            const ForeignKeys& foreign = scenario_keys());

// The same for text in memory; source_name is used as the file in error messages.
// Throws TopologyError.
Topology parse_topology(std::string_view toml_text, std::string_view source_name,
                        const ForeignKeys& foreign = scenario_keys());

// The text of a topology file. Throws TopologyError ("file: cannot open ...") when it
// cannot be read.
std::string read_topology_text(const std::filesystem::path& path);

}  // namespace vmesh::medium
