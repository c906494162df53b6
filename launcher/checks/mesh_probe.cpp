#include "launcher/checks/mesh_probe.hpp"

#include <deque>

namespace vmesh::launcher {
namespace {

constexpr const char* kSeparator = "@@vmesh@@";

}  // namespace

std::string mesh_state_command() {
  return std::string("batctl n 2>&1; echo ") + kSeparator + "; batctl o 2>&1; echo " + kSeparator +
         "; for i in $(iw dev 2>/dev/null | awk '/Interface/{print $2}'); do"
         " iw dev $i station dump; done; echo " +
         kSeparator + "; batctl tg 2>&1";
}

NodeMeshState parse_node_mesh_state(const std::string& output) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = output.find(kSeparator, start);
    if (at == std::string::npos) {
      parts.push_back(output.substr(start));
      break;
    }
    parts.push_back(output.substr(start, at - start));
    start = at + std::string_view(kSeparator).size();
  }
  parts.resize(4);
  NodeMeshState state;
  state.neighbors = parse_batctl_neighbors(parts[0]);
  state.originators = parse_batctl_originators(parts[1]);
  state.peers = parse_iw_station_dump(parts[2]);
  // batctl tg rows: "* CLIENT VID [flags] (ttvn) VIA (ttvn) (crc)"; the second MAC is VIA.
  for (const auto& entry : parse_batctl_originators(parts[3]))
    state.client_origins.push_back(entry.next_hop);
  return state;
}

NodeMeshState probe_node(SshSession& session, int timeout_ms) {
  return parse_node_mesh_state(session.run(mesh_state_command(), timeout_ms).out);
}

std::optional<medium::NodeId> node_of_address(const medium::Topology& topology,
                                              std::size_t node_count, const MacAddress& address) {
  for (std::size_t i = 0; i < node_count && i < topology.nodes.size(); ++i) {
    if (medium::matches_prefix(topology.nodes[i].mac_prefix, address)) {
      return static_cast<medium::NodeId>(i);
    }
  }
  return std::nullopt;
}

MacAddress primary_address(const medium::Topology& topology, medium::NodeId node) {
  MacAddress mac;
  const auto& prefix = topology.nodes.at(node).mac_prefix;
  for (std::size_t i = 0; i < prefix.size(); ++i) mac.bytes[i] = prefix[i];
  mac.bytes[5] = 0;
  return mac;
}

std::vector<medium::NodeId> nodes_to_reach(const medium::Topology& topology, std::size_t node_count,
                                           medium::NodeId node, bool medium_applies_topology) {
  std::vector<medium::NodeId> out;
  if (!medium_applies_topology) {
    for (std::size_t i = 0; i < node_count; ++i) {
      if (i != node) out.push_back(static_cast<medium::NodeId>(i));
    }
    return out;
  }
  std::vector<bool> seen(node_count, false);
  std::deque<medium::NodeId> frontier{node};
  seen[node] = true;
  while (!frontier.empty()) {
    const auto current = frontier.front();
    frontier.pop_front();
    for (auto next : expected_neighbors(topology, node_count, current)) {
      if (seen[next]) continue;
      seen[next] = true;
      out.push_back(next);
      frontier.push_back(next);
    }
  }
  return out;
}

bool reaches_all(const medium::Topology& topology, const NodeMeshState& state,
                 const std::vector<medium::NodeId>& targets) {
  for (auto target : targets) {
    bool found = false;
    for (const auto& entry : state.originators) {
      if (entry.best &&
          medium::matches_prefix(topology.nodes[target].mac_prefix, entry.originator)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
    found = false;
    for (const auto& origin : state.client_origins) {
      found = found || medium::matches_prefix(topology.nodes[target].mac_prefix, origin);
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace vmesh::launcher
