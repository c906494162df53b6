// What a node's profile means for the rest of a run: the WiFi network of an AP or a
// station, and which nodes are gateways or their clients.
#pragma once

#include <string>

#include "launcher/scenario/scenario.hpp"

namespace vmesh::launcher {

struct WifiNetwork {
  std::string ssid;
  std::string psk;
  WifiSecurity security = WifiSecurity::wpa2;
};

// The network node `node` (profile ap or sta) offers or joins: its own keys, for a station
// what it leaves out taken from its AP (a transition-mode AP is joined with WPA2), and the
// guest's defaults last.
WifiNetwork wifi_network(const Scenario& scenario, medium::NodeId node);

// Whether any of the first node_count nodes is a gateway.
bool has_gateway(const Scenario& scenario, std::size_t node_count);

// The node's profile, mesh when the topology gives none.
inline Profile profile_of(const Scenario& scenario, medium::NodeId node) {
  return scenario.nodes.at(node).profile.value_or(Profile::mesh);
}

}  // namespace vmesh::launcher
