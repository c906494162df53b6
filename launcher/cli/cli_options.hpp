// Command line of `vmesh` and the VIRTUAL_MESH_* / VMESH_* environment settings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "launcher/plan/run_plan.hpp"

namespace vmesh::launcher {

// A command line or environment value vmesh cannot use; what() says which and why.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Command : std::uint8_t {
  run,
  up,
  down,
  status,
  ssh,
  exec,
  logs,
  link,
  graph,
  node,     // node kill|start NODE
  relay,    // relay restart
  capture,  // capture start FILE | capture stop
  stats,
  help
};

enum class GraphFormat : std::uint8_t { svg, dot, png };

struct CliOptions {
  Command command = Command::help;
  std::filesystem::path topology;    // run, up
  std::optional<std::size_t> nodes;  // --nodes N
  bool keep = false;                 // --keep: leave the run directory (and for up: VMs)
  std::optional<std::filesystem::path> json_path;  // --json FILE (run)
  bool json_output = false;             // --json without a value: status, node start, relay restart
  std::uint32_t timeout_s = 600;        // --timeout T (whole run), "90", "90s", "5m"
  std::uint32_t ready_timeout_s = 300;  // --ready-timeout T: waiting for the nodes' profiles
  std::string run_name;                 // --name NAME (up/down/status/ssh/exec/logs)
  std::string node;                     // ssh NODE, logs NODE, node kill|start NODE
  std::string action;                   // node kill|start, relay restart, capture start|stop
  std::filesystem::path file;           // capture start FILE
  std::uint32_t down_for_ms = 500;      // relay restart --down-for D
  std::vector<std::filesystem::path> authorized_keys;  // --authorized-keys FILE (run, up)
  bool ssh_key_only = false;  // --ssh-key-only (run, up): no empty-password root login
  std::optional<std::filesystem::path> image;         // --image DISK|RECIPE (run, up)
  bool all = false;                                   // exec --all
  bool exec_stdin = false;                            // exec --stdin: input to every node
  std::vector<std::string> command_argv;              // after "--"
  std::vector<std::string> link_words;                // link set A B key=value... [oneway]
  std::optional<std::filesystem::path> capture_path;  // --capture FILE (run, up): relay pcapng
  // --relay-transport serial|tcp|vhost-user; nullopt: the topology's, else serial.
  std::optional<RelayTransport> relay_transport;
  std::optional<std::filesystem::path> stats_path;   // --stats FILE (run, up): relay JSON lines
  std::optional<std::filesystem::path> output_path;  // graph -o FILE
  std::optional<GraphFormat> graph_format;           // graph --format
  bool live = false;                                 // graph --live: the run's measured links
};

// Parses argv without the program name. Throws UsageError naming the bad argument.
CliOptions parse_cli(std::span<const std::string> args);

// The usage text printed by `vmesh help` and on usage errors.
std::string usage_text();

struct EnvSettings {
  std::optional<std::size_t> nodes;          // VIRTUAL_MESH_NODES
  std::optional<std::string> image;          // VIRTUAL_MESH_IMAGE
  std::optional<std::size_t> max_nodes;      // VIRTUAL_MESH_MAX_NODES
  std::uint16_t ssh_base_port = 2222;        // VIRTUAL_MESH_SSH_BASE_PORT
  std::optional<Accel> accel;                // VMESH_ACCEL=kvm|tcg
  std::optional<std::size_t> boot_parallel;  // VMESH_BOOT_PARALLEL: nodes booting at once
};

using GetEnv = std::function<const char*(const char*)>;

// Reads the settings through `getenv` (injected for tests). Throws UsageError naming the
// variable when a value is not a number in range or not a known word.
EnvSettings read_env_settings(const GetEnv& getenv);

// How many nodes to start: --nodes, else VIRTUAL_MESH_NODES capped at the topology's node
// count, else all nodes of the topology. Throws UsageError when the count is 0, above the
// topology's nodes (for --nodes), or above VIRTUAL_MESH_MAX_NODES (the message names it).
std::size_t resolve_node_count(std::optional<std::size_t> cli_nodes, const EnvSettings& env,
                               std::size_t topology_nodes, const std::string& topology_name);

// "90", "90s", "2m" -> seconds. Throws UsageError.
std::uint32_t parse_duration_s(const std::string& text, const std::string& what);
// "500ms", "2s", "2" (seconds) -> milliseconds, at most 10 minutes. Throws UsageError.
std::uint32_t parse_duration_ms(const std::string& text, const std::string& what);

}  // namespace vmesh::launcher
