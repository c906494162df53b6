// The state of a run kept in its run directory (state.json): PIDs, ports, key and logs, so
// `vmesh down/status/ssh/exec/logs` find a run started by `vmesh up`.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "launcher/run/node_list.hpp"
#include "launcher/run/relay_launch.hpp"

namespace vmesh::launcher {

// How to boot a node again (`vmesh node start`): the same QEMU command line, its log, the
// node's provision commands and, for a firmware image, its setup commands (placeholders
// filled), run again because the image boots from its unchanged disk.
struct NodeLaunch {
  std::vector<std::string> qemu_argv;
  std::filesystem::path qemu_log;
  std::vector<std::string> provision;
  std::vector<std::string> setup;
};

struct RunState {
  std::string name;
  std::filesystem::path dir;
  std::filesystem::path topology;
  std::filesystem::path ssh_key;  // private key; .pub next to it
  pid_t vmesh_pid = -1;           // the process that started the run
  pid_t relay_pid = -1;
  std::uint64_t relay_start_ticks = 0;
  std::uint16_t relay_tcp_port = 0;
  std::uint16_t relay_control_port = 0;        // TCP: binary control only (no text commands)
  std::filesystem::path relay_control_socket;  // Unix socket for text commands (stats, link set)
  std::filesystem::path relay_stats_jsonl;     // --stats FILE, empty without
  std::vector<NodeRecord> nodes;
  // Absent (relay.relay empty, no node launches) in a state.json written before they were
  // recorded: such a run can be stopped but not restarted piecewise.
  RelayLaunch relay_launch;
  std::vector<NodeLaunch> node_launches;  // one per node, same order
};

// ${XDG_RUNTIME_DIR:-/tmp}/vmesh-<user>/<name>.
std::filesystem::path run_dir_for(const std::string& name);

// Writes dir/state.json atomically. Throws std::runtime_error.
void save_run_state(const RunState& state);
// Reads dir/state.json. Throws std::runtime_error naming the file (missing: "no run").
RunState load_run_state(const std::filesystem::path& dir);

// starttime (field 22) of /proc/PID/stat; nullopt when the process does not exist.
std::optional<std::uint64_t> process_start_ticks(pid_t pid);
// True when PID is alive and is still the process recorded (same start time).
bool process_is(pid_t pid, std::uint64_t start_ticks);

}  // namespace vmesh::launcher
