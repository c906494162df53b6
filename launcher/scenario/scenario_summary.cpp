#include "launcher/scenario/scenario_summary.hpp"

#include <fmt/format.h>

#include "medium/topology_summary.hpp"
#include "medium/units.hpp"

namespace vmesh::launcher {

namespace {

std::string node_note(const NodeSettings& node) {
  std::string out;
  if (node.memory_mb) out += fmt::format(" memory {} MiB", *node.memory_mb);
  if (node.radios) out += fmt::format(" radios {}", *node.radios);
  if (node.profile) out += fmt::format(" profile {}", profile_name(*node.profile));
  if (node.ssid) out += fmt::format(" ssid {}", *node.ssid);
  if (node.security) out += fmt::format(" security {}", security_name(*node.security));
  if (node.gateway) out += " gateway";
  if (node.image) out += fmt::format(" image {}", node.image->string());
  if (!node.provision.empty())
    out += fmt::format(" provision {} command(s)", node.provision.size());
  return out;
}

std::string check_line(const Check& check, const medium::Topology& topology) {
  const auto name = [&](medium::NodeId id) { return topology.nodes[id].name; };
  std::string out;
  switch (check.kind) {
    case CheckKind::ping:
      out += fmt::format("  ping {} -> {} count {} max_loss {:g}", name(check.from), name(check.to),
                         check.count, check.max_loss_prob);
      if (check.min_loss_prob > 0) out += fmt::format(" min_loss {:g}", check.min_loss_prob);
      if (check.min_rtt_ms) out += fmt::format(" min_rtt {:g}ms", *check.min_rtt_ms);
      if (check.max_rtt_ms) out += fmt::format(" max_rtt {:g}ms", *check.max_rtt_ms);
      break;
    case CheckKind::neighbors:
      out += fmt::format("  neighbors = {}", check.neighbors);
      break;
    case CheckKind::route:
      out +=
          fmt::format("  route {} -> {} via {}", name(check.from), name(check.to), name(check.via));
      break;
    case CheckKind::iperf:
      out += fmt::format("  iperf {} -> {} min {:g} Mbit/s", name(check.from), name(check.to),
                         check.min_mbps);
      break;
    case CheckKind::associated:
      out += fmt::format("  associated {} with {}", name(check.from), name(check.to));
      break;
    case CheckKind::uplink:
      out += fmt::format("  uplink from {}", name(check.from));
      if (check.has_via) out += " via " + name(check.via);
      break;
  }
  if (check.after_us) out += fmt::format(" after {}", medium::format_duration(*check.after_us));
  if (check.deadline_us)
    out += fmt::format(" deadline {}", medium::format_duration(*check.deadline_us));
  return out + '\n';
}

}  // namespace

std::string summarize_scenario(const Scenario& scenario) {
  const medium::Topology& topology = scenario.topology;
  std::vector<std::string> notes;
  for (const NodeSettings& node : scenario.nodes) notes.push_back(node_note(node));
  std::string out = medium::summarize_topology(topology, notes);
  if (!scenario.run_actions.empty()) {
    out += fmt::format("launcher actions ({}):\n", scenario.run_actions.size());
    for (const RunAction& action : scenario.run_actions) {
      out +=
          fmt::format("  at {} {}", medium::format_duration(action.at_us), to_string(action.kind));
      if (action.kind == RunActionKind::relay_restart) {
        out += fmt::format(" down for {}\n", medium::format_duration(action.down_for_us));
      } else {
        out += fmt::format(" {}\n", topology.nodes[action.node].name);
      }
    }
  }
  out += fmt::format("checks ({}):\n", scenario.checks.size());
  for (const Check& check : scenario.checks) out += check_line(check, topology);
  return out;
}

}  // namespace vmesh::launcher
