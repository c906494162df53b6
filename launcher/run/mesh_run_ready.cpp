// Readiness of vmesh guests by profile (MeshRun::wait_mesh): access points, stations and
// IBSS cells; mesh profiles use the batman-adv wait in mesh_run.cpp.
#include <fmt/format.h>

#include "launcher/checks/profile_ready.hpp"
#include "launcher/run/mesh_run.hpp"
#include "launcher/scenario/node_profile.hpp"

namespace vmesh::launcher {
namespace {

// The nodes of profile `profile` that `node` hears both ways.
std::vector<medium::NodeId> neighbours_of_profile(const Scenario& scenario, std::size_t count,
                                                  medium::NodeId node, Profile profile) {
  std::vector<medium::NodeId> out;
  for (auto other : expected_neighbors(scenario.topology, count, node)) {
    if (profile_of(scenario, other) == profile) out.push_back(other);
  }
  return out;
}

}  // namespace

std::string MeshRun::awaited(std::size_t i) const {
  const auto id = static_cast<medium::NodeId>(i);
  const Scenario& scenario = setup_.scenario;
  switch (profile_of(scenario, id)) {
    case Profile::ap:
      return "hostapd beaconing";
    case Profile::sta: {
      const auto ap = *scenario.nodes[i].ap;
      return fmt::format(
          "association with {} (ssid {}, bssid {}:00) and address {}, then a ping "
          "to it",
          plan_.nodes[ap].name, wifi_network(scenario, id).ssid, plan_.nodes[ap].mac_prefix,
          plan_.nodes[i].mesh_ip);
    }
    case Profile::ibss:
      return fmt::format(
          "an IBSS cell with {} peer(s), then a ping to each",
          neighbours_of_profile(scenario, plan_.nodes.size(), id, Profile::ibss).size());
    default:
      return "batman-adv routes to every mesh node, then a ping to each";
  }
}

bool MeshRun::profile_ready(std::size_t i, std::string& last) {
  const auto id = static_cast<medium::NodeId>(i);
  const Scenario& scenario = setup_.scenario;
  ReadyVerdict verdict;
  std::vector<medium::NodeId> ping_targets;
  try {
    switch (profile_of(scenario, id)) {
      case Profile::ap:
        verdict = judge_ap(sessions_[i]->run(ap_ready_command(), 10000).out);
        break;
      case Profile::sta: {
        const auto ap = *scenario.nodes[i].ap;
        if (ap >= plan_.nodes.size()) {
          throw std::runtime_error(fmt::format("{} joins {}, which this run does not start",
                                               plan_.nodes[i].name,
                                               scenario.topology.nodes[ap].name));
        }
        verdict = judge_sta(sessions_[i]->run(sta_ready_command(), 10000).out,
                            plan_.nodes[ap].mac_prefix + ":00", plan_.nodes[i].mesh_ip);
        ping_targets = {ap};
        break;
      }
      case Profile::ibss:
        ping_targets = neighbours_of_profile(scenario, plan_.nodes.size(), id, Profile::ibss);
        verdict =
            judge_ibss(sessions_[i]->run(ibss_ready_command(), 10000).out, ping_targets.size());
        break;
      default:
        return true;  // none, mesh-local: nothing to wait for beyond SSH
    }
  } catch (const SshError& e) {
    last = e.what();
    return false;
  }
  last = verdict.seen;
  if (!verdict.ready) return false;
  progress_.set(i, NodeStage::radio);
  return ping_targets.empty() || ping_all(i, ping_targets, last);
}

}  // namespace vmesh::launcher
