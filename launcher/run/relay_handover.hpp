// The relay restart of the vhost-user transport. QEMU's vhost-user device never connects to
// a new relay, so the running relay is not stopped: asked on its control socket, it takes
// the medium down and waits at launch.handover_socket(), and the new relay, started with
// --vhost-take-over, takes its live front ends and node sockets over (docs/relay.md, "the
// vhost-user handover"); the old relay exits 0 once they are taken.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "launcher/run/relay_launch.hpp"

namespace vmesh::launcher {

// Asks the running relay to hand its front ends over, waiting up to `wait` for a new relay
// (clamped to the relay's 100 ms..10 min). Returns its answer ("ok handing over 2
// vhost-user front ends (n1, n2) and 2 node sockets at ..."). Throws std::runtime_error with
// the relay's own error, or when it gave no answer: the relay then serves on as before.
std::string ask_relay_to_hand_over(const RelayLaunch& launch, std::chrono::milliseconds wait);

// What a new relay's log, from its start on, says of its take-over.
struct TakeOverStatus {
  enum class State { pending, served, failed } state = State::pending;
  std::string line;  // the relay's line saying so
};
TakeOverStatus take_over_status(const std::string& relay_log_since_start);

// Waits for the take-over line in launch.log() after byte `log_offset` until `deadline`.
// Returns the line ("vhost take-over: 2 of 2 front ends served on; ..."). Throws
// std::runtime_error with the relay's failure line (the guests' radios stay cut off until
// their VMs restart), or when it said nothing by the deadline; Interrupted.
std::string wait_for_take_over(const RelayLaunch& launch, std::size_t log_offset,
                               std::chrono::steady_clock::time_point deadline);

}  // namespace vmesh::launcher
