#include "launcher/checks/mesh_checks.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "launcher/checks/mesh_probe.hpp"
#include "launcher/checks/output_parsers.hpp"
#include "launcher/checks/wifi_checks.hpp"
#include "launcher/process/elapsed.hpp"
#include "launcher/process/interrupt.hpp"

namespace vmesh::launcher {
namespace {

const std::string& name_of(const medium::Topology& topology, medium::NodeId node) {
  return topology.nodes.at(node).name;
}

std::string names(const medium::Topology& topology, const std::set<medium::NodeId>& nodes) {
  std::string out;
  for (auto node : nodes) out += (out.empty() ? "" : ",") + name_of(topology, node);
  return out.empty() ? "none" : out;
}

CheckOutcome check_ping(const medium::Topology& topology, const RunPlan& plan, const Check& check,
                        const RunOnNode& run) {
  CheckOutcome outcome;
  const auto& target = plan.nodes.at(check.to);
  const int timeout_ms = static_cast<int>(check.count) * 1000 + 10000;
  const auto result =
      run(check.from, fmt::format("ping -c {} -i 0.2 -W 2 {} 2>&1", check.count, target.mesh_ip),
          timeout_ms);
  const auto stats = parse_ping(result.out);
  if (!stats) {
    outcome.detail = fmt::format("no ping summary from {} (exit {})", name_of(topology, check.from),
                                 result.exit_status);
    return outcome;
  }
  const double loss = stats->loss_prob();
  const bool expects_replies = check.min_loss_prob < 1.0;
  outcome.passed = (stats->received > 0 || !expects_replies) &&
                   loss >= check.min_loss_prob - 1e-9 && loss <= check.max_loss_prob + 1e-9;
  outcome.detail = fmt::format("{}/{} received, loss {:.0f}% (allowed {:.0f}-{:.0f}%)",
                               stats->received, stats->transmitted, loss * 100,
                               check.min_loss_prob * 100, check.max_loss_prob * 100);
  if (check.min_rtt_ms || check.max_rtt_ms) {
    const double lo = check.min_rtt_ms.value_or(0.0);
    const double hi = check.max_rtt_ms.value_or(1e12);
    if (!stats->avg_rtt_ms) {
      outcome.passed = false;
      outcome.detail += ", no round-trip time";
    } else {
      outcome.passed = outcome.passed && *stats->avg_rtt_ms >= lo && *stats->avg_rtt_ms <= hi;
      outcome.detail +=
          fmt::format(", rtt avg {:.1f} ms (allowed {:g}-{:g} ms)", *stats->avg_rtt_ms, lo,
                      check.max_rtt_ms ? hi : std::numeric_limits<double>::infinity());
    }
  }
  return outcome;
}

CheckOutcome check_neighbors(const medium::Topology& topology, const RunPlan& plan,
                             const RunOnNode& run) {
  CheckOutcome outcome;
  outcome.passed = true;
  const std::size_t count = plan.nodes.size();
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < count; ++i) {
    const auto node = static_cast<medium::NodeId>(i);
    const auto result = run(node, "batctl n 2>&1", 10000);
    std::set<medium::NodeId> seen;
    for (const auto& mac : parse_batctl_neighbors(result.out)) {
      if (auto other = node_of_address(topology, count, mac)) seen.insert(*other);
    }
    const auto wanted = expected_neighbors(topology, count, node);
    const std::set<medium::NodeId> expected(wanted.begin(), wanted.end());
    if (seen != expected) {
      outcome.passed = false;
      problems.push_back(fmt::format("{} has {} (want {})", name_of(topology, node),
                                     names(topology, seen), names(topology, expected)));
    }
  }
  outcome.detail = outcome.passed ? "every node's batman-adv neighbours equal its links"
                                  : fmt::format("{}", fmt::join(problems, "; "));
  return outcome;
}

CheckOutcome check_route(const medium::Topology& topology, const RunPlan& plan, const Check& check,
                         const RunOnNode& run) {
  CheckOutcome outcome;
  const auto result = run(check.from, "batctl o 2>&1", 10000);
  const auto table = parse_batctl_originators(result.out);
  std::optional<MacAddress> hop;
  for (const auto& entry : table) {
    if (entry.best &&
        medium::matches_prefix(topology.nodes[check.to].mac_prefix, entry.originator)) {
      hop = entry.next_hop;
    }
  }
  if (!hop) {
    outcome.detail = fmt::format("{} has no route to {}", name_of(topology, check.from),
                                 name_of(topology, check.to));
    return outcome;
  }
  const auto via = node_of_address(topology, plan.nodes.size(), *hop);
  outcome.passed = via && *via == check.via;
  outcome.detail =
      fmt::format("next hop {} ({})", via ? name_of(topology, *via) : "unknown", hop->to_string());
  if (!outcome.passed) outcome.detail += fmt::format(", want {}", name_of(topology, check.via));
  return outcome;
}

CheckOutcome check_iperf(const medium::Topology& topology, const RunPlan& plan, const Check& check,
                         const RunOnNode& run) {
  CheckOutcome outcome;
  const auto& target = plan.nodes.at(check.to);
  run(check.to, "iperf3 -s -1 -D >/dev/null 2>&1; sleep 0.5", 10000);
  const auto result = run(check.from, fmt::format("iperf3 -c {} -t 3 -J", target.mesh_ip), 30000);
  const auto mbps = parse_iperf3_json_mbps(result.out);
  if (!mbps) {
    outcome.detail = fmt::format("iperf3 on {} gave no result (exit {})",
                                 name_of(topology, check.from), result.exit_status);
    return outcome;
  }
  outcome.passed = *mbps >= check.min_mbps;
  outcome.detail = fmt::format("{:.2f} Mbit/s (min {:.2f})", *mbps, check.min_mbps);
  return outcome;
}

}  // namespace

std::string check_name(const medium::Topology& topology, const Check& check) {
  switch (check.kind) {
    case CheckKind::ping:
      return fmt::format("ping {}->{}", name_of(topology, check.from), name_of(topology, check.to));
    case CheckKind::neighbors:
      return fmt::format("neighbors = {}", check.neighbors);
    case CheckKind::route:
      return fmt::format("route {}->{} via {}", name_of(topology, check.from),
                         name_of(topology, check.to), name_of(topology, check.via));
    case CheckKind::iperf:
      return fmt::format("iperf {}->{}", name_of(topology, check.from),
                         name_of(topology, check.to));
    case CheckKind::associated:
      return fmt::format("associated {} with {}", name_of(topology, check.from),
                         name_of(topology, check.to));
    case CheckKind::uplink:
      return fmt::format("uplink from {}{}", name_of(topology, check.from),
                         check.has_via ? " via " + name_of(topology, check.via) : "");
  }
  return "?";
}

CheckOutcome attempt_check(const medium::Topology& topology, const RunPlan& plan,
                           const Check& check, const RunOnNode& run) {
  const std::size_t count = plan.nodes.size();
  const bool uses_pair = check.kind != CheckKind::neighbors;
  if (uses_pair && (check.from >= count || check.to >= count ||
                    ((check.kind == CheckKind::route || check.has_via) && check.via >= count))) {
    CheckOutcome outcome;
    outcome.skipped = true;
    outcome.detail = fmt::format("names a node beyond the {} started", count);
    return outcome;
  }
  switch (check.kind) {
    case CheckKind::ping:
      return check_ping(topology, plan, check, run);
    case CheckKind::neighbors:
      return check_neighbors(topology, plan, run);
    case CheckKind::route:
      return check_route(topology, plan, check, run);
    case CheckKind::iperf:
      return check_iperf(topology, plan, check, run);
    case CheckKind::associated:
      return check_associated(topology, plan, check, run);
    case CheckKind::uplink:
      return check_uplink(topology, plan, check, run);
  }
  return {};
}

CheckOutcome run_check(const medium::Topology& topology, const RunPlan& plan, const Check& check,
                       const RunOnNode& run, std::uint64_t default_deadline_ms,
                       std::chrono::steady_clock::time_point timeline_start) {
  using Clock = std::chrono::steady_clock;
  if (check.after_us) {
    const auto not_before = timeline_start + std::chrono::microseconds(*check.after_us);
    while (Clock::now() < not_before) {
      throw_if_interrupted();
      std::this_thread::sleep_for(
          std::min<Clock::duration>(not_before - Clock::now(), std::chrono::milliseconds(100)));
    }
  }
  const auto start = Clock::now();
  const auto deadline_ms = check.deadline_us ? *check.deadline_us / 1000 : default_deadline_ms;
  const auto deadline = start + std::chrono::milliseconds(deadline_ms);
  CheckOutcome outcome;
  std::uint32_t attempts = 0;
  while (true) {
    throw_if_interrupted();
    ++attempts;
    try {
      outcome = attempt_check(topology, plan, check, run);
    } catch (const SshError& e) {
      outcome = CheckOutcome{};
      outcome.detail = e.what();
    }
    if (outcome.passed || outcome.skipped || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  outcome.name = check_name(topology, check);
  outcome.attempts = attempts;
  outcome.seconds = seconds_since(start);
  if (!outcome.passed && !outcome.skipped) {
    outcome.detail += fmt::format(" (deadline {} s)", deadline_ms / 1000);
  }
  return outcome;
}

}  // namespace vmesh::launcher
