// The order in which `vmesh run` carries out the topology's checks and its timeline
// actions (node_kill, node_start, relay_restart), and the actions themselves. Checks run
// one after another; an action happens at its `at` time, before the first check whose
// `after` is not earlier than that (so checks with `after` can observe what it did).
// Actions later than every check's `after` run after the last check.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "launcher/run/mesh_run.hpp"
#include "launcher/scenario/scenario.hpp"
#include "medium/topology.hpp"

namespace vmesh::launcher {

struct TimelineStep {
  enum class Kind { check, action } kind;
  std::size_t index;  // into topology.checks or topology.run_actions
  bool operator==(const TimelineStep&) const = default;
};

std::vector<TimelineStep> order_timeline(const Scenario& scenario);

struct ActionOutcome {
  std::string name;  // "node_kill n2", "relay_restart"
  bool passed = false;
  bool skipped = false;  // names a node that was not started
  double at_s = 0;       // planned, on the run's timeline
  double started_s = 0;  // when it began, on the run's timeline
  double seconds = 0;    // how long it took
  std::string detail;    // what was measured, or why it failed
  std::optional<double>
      down_s;  // node_start: killed until SSH back; relay: stopped until listening
  std::optional<double> reconnected_s;  // relay_restart: listening until every node bound
};

std::string action_name(const medium::Topology& topology, const RunAction& action);

// Waits for the action's time, carries it out on `mesh` and says what happened. Never
// throws except Interrupted.
ActionOutcome run_action(MeshRun& mesh, const medium::Topology& topology, const RunAction& action,
                         std::size_t node_count);

}  // namespace vmesh::launcher
