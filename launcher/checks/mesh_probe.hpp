// Reading a node's real mesh state over SSH (batctl n, batctl o, iw station dump) and
// deciding from it whether the mesh has formed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "launcher/checks/output_parsers.hpp"
#include "launcher/plan/run_plan.hpp"
#include "launcher/ssh/ssh_session.hpp"
#include "medium/topology.hpp"

namespace vmesh::launcher {

struct NodeMeshState {
  std::vector<MacAddress> neighbors;         // batctl n
  std::vector<OriginatorEntry> originators;  // batctl o
  std::vector<MeshPeer> peers;               // 802.11s stations of every wireless interface
  std::vector<MacAddress> client_origins;    // batctl tg: originator each client is behind
};

// The shell command whose output parse_node_mesh_state reads.
std::string mesh_state_command();
// Splits the output of mesh_state_command into its three parts and parses them.
NodeMeshState parse_node_mesh_state(const std::string& output);
// Runs mesh_state_command on a node. Throws SshError.
NodeMeshState probe_node(SshSession& session, int timeout_ms);

// Node of the topology (ids < node_count) whose MAC prefix `address` belongs to.
std::optional<medium::NodeId> node_of_address(const medium::Topology& topology,
                                              std::size_t node_count, const MacAddress& address);

// Radio 0's address of a node (what batman-adv uses as its originator address).
MacAddress primary_address(const medium::Topology& topology, medium::NodeId node);

// Nodes `node` must reach for the mesh to count as formed: its connected component in the
// topology's link graph when the medium applies the topology, else every other node.
std::vector<medium::NodeId> nodes_to_reach(const medium::Topology& topology, std::size_t node_count,
                                           medium::NodeId node, bool medium_applies_topology);

// True when every node in `targets` has a best route in the originator table and at least
// one client (its bridge) in the global translation table: only then does IP traffic to it
// flow.
bool reaches_all(const medium::Topology& topology, const NodeMeshState& state,
                 const std::vector<medium::NodeId>& targets);

}  // namespace vmesh::launcher
