// The launcher's sections of a topology file, one reader each, for parse_scenario. The
// medium parser has already read the file (syntax, node names, the medium's keys) and left
// these parts, its ForeignKeys, to them.
#pragma once

#include "launcher/scenario/scenario.hpp"
#include "medium/toml_reader.hpp"

namespace vmesh::launcher {

// The launcher's keys of [medium] (the table `medium`): transport. Throws
// medium::TopologyError.
void read_medium_settings(const medium::TomlReader& reader, const toml::node& medium,
                          Scenario& scenario);

// The VM settings of every [[node]] (the array `nodes`) into scenario.nodes; a node's image
// path is taken from `base_dir` (the topology file's folder) unless absolute.
// Throws medium::TopologyError.
void read_node_settings(const medium::TomlReader& reader, const toml::node& nodes,
                        const std::filesystem::path& base_dir, Scenario& scenario);

// The run actions among the [[event]]s (the array `events`) into scenario.run_actions, in
// time order; a node is killed only while it runs and started only once killed.
// Throws medium::TopologyError.
void read_run_actions(const medium::TomlReader& reader, const toml::node& events,
                      Scenario& scenario);

// Every [[check]] (the array `checks`) into scenario.checks. Throws medium::TopologyError.
void read_checks(const medium::TomlReader& reader, const toml::node& checks, Scenario& scenario);

}  // namespace vmesh::launcher
