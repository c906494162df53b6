// Timeline actions on a run started by another vmesh process (`vmesh up`, or `vmesh run`
// while its command runs), found through its state.json: what `vmesh node kill|start` and
// `vmesh relay restart` do. Processes started here are detached (they outlive this vmesh),
// recorded in state.json, and stopped by `vmesh down` or by the `vmesh run` that owns the run.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "launcher/run/run_state.hpp"

namespace vmesh::launcher {

// SIGTERM, then SIGKILL after 3 s, to a recorded process (same start time, so a recycled
// PID is never touched). Not our child: polls /proc until it is gone. False when it was
// not running.
bool stop_recorded(pid_t pid, std::uint64_t start_ticks);

// Index of the node called `name`. Throws std::runtime_error naming the run and the node.
std::size_t recorded_node_index(const RunState& state, const std::string& name);

// SIGKILL the node's QEMU (a power cut) and wait until it is gone; saves state.json.
// Throws std::runtime_error when it is not running.
void kill_recorded_node(RunState& state, std::size_t node);

// Boots a killed node again with its recorded command line, waits for its SSH login and
// runs its provision commands; saves state.json with the new PID. Returns seconds from
// start to login. Throws std::runtime_error (already running, no launch record, QEMU
// exited — with its log tail —, no login by `deadline`), Interrupted.
double start_recorded_node(RunState& state, std::size_t node,
                           std::chrono::steady_clock::time_point deadline);

struct RelayRestartResult {
  double down_s = 0;         // relay stopped until listening again on the same ports
  double reconnected_s = 0;  // from listening until every running node was bound again
  bool all_reconnected = false;
};

// Stops the relay, waits `down_for`, starts it on the same ports with the timeline
// continued, then waits up to `reconnect_timeout` for every running node to be bound again;
// saves state.json with the new PID. On the vhost-user transport the old relay hands its
// front ends to the new one instead of stopping (relay_handover.hpp). Throws
// std::runtime_error (no launch record, relay failed to start, a handover refused or
// failed), Interrupted.
RelayRestartResult restart_recorded_relay(RunState& state, std::chrono::milliseconds down_for,
                                          std::chrono::milliseconds reconnect_timeout);

}  // namespace vmesh::launcher
