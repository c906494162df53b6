// The result of `vmesh run`: a table for people and optional JSON for machines.
#pragma once

#include <string>
#include <vector>

#include "launcher/checks/mesh_checks.hpp"
#include "launcher/run/mesh_run.hpp"
#include "launcher/run/node_list.hpp"
#include "launcher/run/run_timeline.hpp"

namespace vmesh::launcher {

struct RunReport {
  std::string topology;
  bool passed = false;
  std::string error;  // set when a step failed before or instead of the checks
  std::vector<CheckOutcome> checks;
  std::vector<ActionOutcome> actions;  // timeline actions, in the order carried out
  std::optional<int> command_exit;     // `-- COMMAND` mode
  PhaseTimes times;
  double total_s = 0;
  std::vector<NodeRecord> nodes;
  std::string run_dir;
  int relay_pid = -1;
  std::string relay_stats_jsonl;  // --stats FILE: the relay's per-interval counters
};

// The table of checks (name, result, seconds, detail) and the phase times.
std::string format_report_table(const RunReport& report);
// The report as JSON (topology, passed, error, checks[], command_exit, times, nodes[]).
std::string report_json(const RunReport& report);

}  // namespace vmesh::launcher
