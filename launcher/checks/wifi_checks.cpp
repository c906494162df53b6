#include "launcher/checks/wifi_checks.hpp"

#include <sstream>

#include <fmt/format.h>

#include "launcher/checks/profile_ready.hpp"

namespace vmesh::launcher {

CheckOutcome check_associated(const medium::Topology& /*topology*/, const RunPlan& plan,
                              const Check& check, const RunOnNode& run) {
  CheckOutcome outcome;
  const NodePlan& sta = plan.nodes.at(check.from);
  const NodePlan& ap = plan.nodes.at(check.to);
  const std::string bssid = ap.mac_prefix + ":00";
  const std::string station = sta.mac_prefix + ":00";
  const auto status = run(check.from, sta_ready_command(), 10000).out;
  const auto verdict = judge_sta(status, bssid, sta.mesh_ip);
  if (!verdict.ready) {
    outcome.detail = fmt::format("{} is not associated with {} ({}): {}", sta.name, ap.name, bssid,
                                 verdict.seen);
    return outcome;
  }
  // The AP's side: the station is authorized in hostapd's table.
  const auto stations = run(check.to, "hostapd_cli -p /run/hostapd all_sta 2>&1", 10000).out;
  const auto at = stations.find(station);
  const bool authorized =
      at != std::string::npos && stations.find("AUTHORIZED", at) != std::string::npos;
  outcome.passed = authorized;
  outcome.detail =
      fmt::format("{} ({})", verdict.seen,
                  authorized ? ap.name + " lists it authorized" : ap.name + " does not list it");
  return outcome;
}

std::optional<std::uint32_t> parse_uplink_answer(const std::string& output) {
  std::istringstream in(output);
  std::string word;
  while (in >> word) {
    if (word != "vmesh-uplink") continue;
    std::uint32_t index = 0;
    if (in >> index && index > 0) return index;
    return std::nullopt;
  }
  return std::nullopt;
}

CheckOutcome check_uplink(const medium::Topology& topology, const RunPlan& plan, const Check& check,
                          const RunOnNode& run) {
  CheckOutcome outcome;
  const auto result = run(
      check.from,
      fmt::format("nc -w 3 {} {} </dev/null 2>&1", kUplinkProbeAddress, kUplinkProbePort), 15000);
  const auto index = parse_uplink_answer(result.out);
  if (!index || *index > plan.nodes.size()) {
    outcome.detail = fmt::format("{} got no answer from the host at {}:{} ({})",
                                 plan.nodes.at(check.from).name, kUplinkProbeAddress,
                                 kUplinkProbePort, result.out.empty() ? "no output" : result.out);
    return outcome;
  }
  const auto& gateway = plan.nodes.at(*index - 1).name;
  outcome.passed = !check.has_via || *index - 1 == check.via;
  outcome.detail = fmt::format("reached the host through {}", gateway);
  if (!outcome.passed) outcome.detail += ", want " + topology.nodes.at(check.via).name;
  return outcome;
}

}  // namespace vmesh::launcher
