// A run as written in a topology file: the medium's part (medium::Topology, what the relay
// reads) and the launcher's own: each node's VM settings, the run actions of the timeline
// and the checks. Produced by parse_scenario / load_scenario_file (scenario_parser.hpp).
#pragma once

#include <optional>
#include <vector>

#include "launcher/scenario/check.hpp"
#include "launcher/scenario/image_spec.hpp"
#include "launcher/scenario/node_settings.hpp"
#include "launcher/scenario/relay_transport.hpp"
#include "launcher/scenario/run_action.hpp"
#include "medium/topology.hpp"

namespace vmesh::launcher {

struct Scenario {
  medium::Topology topology;
  std::vector<NodeSettings> nodes;     // one per topology.nodes, same order
  std::vector<RunAction> run_actions;  // sorted by at_us, file order kept for equal times
  std::vector<Check> checks;
  std::optional<ImageSpec> image;  // [image]: every node boots this firmware, not vmesh's guest
  // [medium] transport; nullopt: the command line's, else serial.
  std::optional<RelayTransport> relay_transport;
};

}  // namespace vmesh::launcher
