// How a run's relay is started, kept in state.json so a restart from another vmesh process
// (`vmesh relay restart`) uses the same command line, ports and timeline as the run itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "launcher/process/child_process.hpp"

namespace vmesh::launcher {

struct RelayPorts {
  std::uint16_t tcp = 0;  // 0 in every field: not started yet, any free ports
  std::uint16_t spy = 0;
  std::uint16_t control = 0;
  std::uint16_t txstatus = 0;
};

struct RelayLaunch {
  std::filesystem::path relay;     // vmesh-relay
  std::filesystem::path run_dir;   // ports file, log, control socket, stats file
  std::filesystem::path topology;  // absolute
  RelayPorts ports;
  // t = 0 of the topology's timeline on the host's monotonic clock (steady_clock), so a
  // relay started again continues the timeline (--timeline-start-ms) whoever starts it.
  std::int64_t timeline_start_steady_ms = 0;
  // The topology's timeline waits for every node to be ready (meta timeline_start = "ready")
  // and has not been started yet: a relay started again waits too.
  bool timeline_waiting = false;
  int restarts = 0;                                  // relays started after the first
  std::optional<std::filesystem::path> capture;      // --capture FILE (absolute)
  std::optional<std::filesystem::path> stats_jsonl;  // --stats FILE (absolute)
  // --vhost-user-dir: the relay listens at DIR/<node>.sock for each node's QEMU (vhost-user
  // transport); a restarted relay uses the same directory, where the QEMUs reconnect.
  std::optional<std::filesystem::path> vhost_user_dir;

  std::filesystem::path log() const { return run_dir / "relay.log"; }
  std::filesystem::path ports_file() const { return run_dir / "relay.ports"; }
  std::filesystem::path control_socket() const { return run_dir / "control.sock"; }
  std::filesystem::path stats_file() const { return run_dir / "relay-stats.json"; }
  // Where a relay serving vhost-user front ends hands them to its successor (a restart).
  std::filesystem::path handover_socket() const { return run_dir / "handover.sock"; }
  // FILE for the first relay, FILE.restartK after K restarts (a new relay would truncate).
  std::filesystem::path capture_file() const;
};

// How a relay is started: the first time, again after the old one stopped, or taking the
// old one's vhost-user front ends over at launch.handover_socket() (the old one waits there).
enum class RelayStart { first_or_restart, take_over };

// The relay's command line: any free ports at first, the recorded ports (and the
// continued timeline, at `now`) once it has run; --vhost-take-over for RelayStart::take_over.
std::vector<std::string> relay_argv(const RelayLaunch& launch,
                                    std::chrono::steady_clock::time_point now,
                                    RelayStart how = RelayStart::first_or_restart);

// Starts the relay and waits for its ports file (filling launch.ports on a first start); the
// relay makes its vhost-user sockets before it writes that file. Socket files a killed relay
// left behind (control, vhost-user) are removed first, except the vhost-user sockets on a
// take-over: they are handed over, still listening.
// Throws std::runtime_error naming the log when it exits or writes no ports file in
// 10 s (or by `deadline`); Interrupted on SIGINT/SIGTERM.
ChildProcess spawn_relay(RelayLaunch& launch, bool detached,
                         std::chrono::steady_clock::time_point deadline,
                         RelayStart how = RelayStart::first_or_restart);

// True when `relay_log_text` (the log since a relay started) says every node in
// `node_names` is bound again ("bound to node NAME by ...").
bool relay_bound_all(const std::string& relay_log_text, const std::vector<std::string>& node_names);

nlohmann::json relay_launch_to_json(const RelayLaunch& launch);
// Throws nlohmann::json::exception on missing fields.
RelayLaunch relay_launch_from_json(const nlohmann::json& json);

}  // namespace vmesh::launcher
