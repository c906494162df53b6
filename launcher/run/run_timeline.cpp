#include "launcher/run/run_timeline.hpp"

#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "launcher/process/elapsed.hpp"
#include "launcher/process/interrupt.hpp"

namespace vmesh::launcher {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

std::vector<TimelineStep> order_timeline(const Scenario& scenario) {
  std::vector<TimelineStep> steps;
  std::size_t next_action = 0;  // run_actions are sorted by time
  const auto& actions = scenario.run_actions;
  for (std::size_t c = 0; c < scenario.checks.size(); ++c) {
    const std::uint64_t after_us = scenario.checks[c].after_us.value_or(0);
    while (next_action < actions.size() && actions[next_action].at_us <= after_us)
      steps.push_back({TimelineStep::Kind::action, next_action++});
    steps.push_back({TimelineStep::Kind::check, c});
  }
  while (next_action < actions.size()) steps.push_back({TimelineStep::Kind::action, next_action++});
  return steps;
}

std::string action_name(const medium::Topology& topology, const RunAction& action) {
  if (action.kind == RunActionKind::relay_restart) return "relay_restart";
  return fmt::format("{} {}", to_string(action.kind), topology.nodes[action.node].name);
}

ActionOutcome run_action(MeshRun& mesh, const medium::Topology& topology, const RunAction& action,
                         std::size_t node_count) {
  ActionOutcome outcome;
  outcome.name = action_name(topology, action);
  outcome.at_s = static_cast<double>(action.at_us) / 1e6;
  if (action.kind != RunActionKind::relay_restart && action.node >= node_count) {
    outcome.skipped = true;
    outcome.detail = fmt::format("{} was not started (--nodes {})",
                                 topology.nodes[action.node].name, node_count);
    return outcome;
  }
  const auto due = mesh.timeline_start() + std::chrono::microseconds(action.at_us);
  while (Clock::now() < due) {
    throw_if_interrupted();
    std::this_thread::sleep_for(
        std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(100)));
  }
  const auto start = Clock::now();
  outcome.started_s = seconds_since(mesh.timeline_start());
  try {
    switch (action.kind) {
      case RunActionKind::node_kill:
        mesh.kill_node(action.node);
        outcome.detail = "QEMU killed (SIGKILL)";
        outcome.passed = true;
        break;
      case RunActionKind::node_start: {
        const double boot_s = mesh.start_node(action.node);
        if (auto killed_at = mesh.killed_at(action.node)) {
          outcome.down_s = seconds_since(*killed_at);
        }
        outcome.detail = fmt::format("SSH after {:.1f} s of boot", boot_s);
        if (outcome.down_s)
          outcome.detail += fmt::format(", down {:.1f} s in all", *outcome.down_s);
        outcome.passed = true;
        break;
      }
      case RunActionKind::relay_restart: {
        const auto restart = mesh.restart_relay(std::chrono::microseconds(action.down_for_us),
                                                std::chrono::milliseconds(30000));
        outcome.down_s = restart.down_s;
        outcome.reconnected_s = restart.reconnected_s;
        outcome.passed = restart.all_reconnected;
        // Proof that no VM rebooted: every running guest has been up for longer than the
        // restart took.
        const double restart_s = seconds_since(start);
        std::string rebooted;
        for (std::size_t i = 0; i < node_count; ++i) {
          const auto node = static_cast<medium::NodeId>(i);
          if (mesh.node_killed(node)) continue;
          const auto uptime = mesh.run_on(node, "cut -d' ' -f1 /proc/uptime", 10000);
          const double uptime_s = std::atof(uptime.out.c_str());
          if (uptime.exit_status != 0 || uptime_s <= restart_s)
            rebooted += fmt::format(" {} (up {:.1f} s)", topology.nodes[i].name, uptime_s);
        }
        if (!rebooted.empty()) {
          outcome.passed = false;
          outcome.detail = "guests restarted during the relay restart:" + rebooted;
          break;
        }
        outcome.detail =
            restart.all_reconnected
                ? fmt::format(
                      "relay down {:.1f} s; every node reconnected {:.1f} s after it listened",
                      restart.down_s, restart.reconnected_s)
                : fmt::format("relay down {:.1f} s; not every node reconnected within {:.0f} s",
                              restart.down_s, restart.reconnected_s);
        break;
      }
    }
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    outcome.passed = false;
    outcome.detail = e.what();
  }
  outcome.seconds = seconds_since(start);
  return outcome;
}

}  // namespace vmesh::launcher
