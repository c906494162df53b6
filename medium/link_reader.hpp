// The link parameters and endpoints shared by [[link]] and the link events of [[event]].
#pragma once

#include <string>

#include "medium/toml_reader.hpp"

namespace vmesh::medium {

// Namespace-scope initializer_lists keep their backing arrays for the whole program.
inline const Keys kLinkParamKeys{"loss",  "delay", "jitter",     "reorder",   "rate",
                                 "burst", "queue", "burst_loss", "signal_dbm"};
inline const Keys kRampKeys{"loss", "delay", "jitter", "rate", "signal_dbm"};

// The parameters of `table` that it sets (kLinkParamKeys). Throws TopologyError.
LinkOverrides read_link_params(const TomlReader& reader, const toml::table& table);

// Rejects jitter larger than delay unless reorder is set, at the jitter (or delay) key.
void check_jitter(const TomlReader& reader, const LinkParams& params, const toml::table& table,
                  const std::string& what);

// Reads nodes = [a, b] or from/to into `from`, `to`, `symmetric`. Throws TopologyError.
void read_endpoints(const TomlReader& reader, const toml::table& table, const Topology& topology,
                    NodeId& from, NodeId& to, bool& symmetric);

}  // namespace vmesh::medium
