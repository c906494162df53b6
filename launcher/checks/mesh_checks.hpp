// The topology's [[check]]s run against live nodes: ping, neighbors = "topology", route,
// iperf. Each is retried until it passes or its deadline passes; results carry timing.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "launcher/plan/run_plan.hpp"
#include "launcher/scenario/scenario.hpp"
#include "launcher/ssh/ssh_session.hpp"
#include "medium/topology.hpp"

namespace vmesh::launcher {

struct CheckOutcome {
  std::string name;  // "ping n1->n3", "route n1->n3 via n2", ...
  bool passed = false;
  bool skipped = false;  // names a node that was not started
  std::string detail;    // what was measured, or why it failed
  double seconds = 0.0;
  std::uint32_t attempts = 0;
};

// Runs a shell command on a node; throws SshError on transport failure.
using RunOnNode = std::function<SshResult(medium::NodeId, const std::string&, int timeout_ms)>;

// A human name for a check ("ping n1->n3").
std::string check_name(const medium::Topology& topology, const Check& check);

// One attempt of a check; passed/detail set, timing left to run_check. Does not retry.
CheckOutcome attempt_check(const medium::Topology& topology, const RunPlan& plan,
                           const Check& check, const RunOnNode& run);

// Runs a check until it passes or its deadline (default_deadline_ms when the topology gives
// none) passes. With `after`, it first waits until timeline_start + after (the timeline is
// the relay's: events fire relative to it) and times itself from then. Throws Interrupted
// on SIGINT; SSH failures count as a failed attempt.
CheckOutcome run_check(const medium::Topology& topology, const RunPlan& plan, const Check& check,
                       const RunOnNode& run, std::uint64_t default_deadline_ms,
                       std::chrono::steady_clock::time_point timeline_start = {});

}  // namespace vmesh::launcher
