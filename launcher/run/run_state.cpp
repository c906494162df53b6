#include "launcher/run/run_state.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vmesh::launcher {

std::filesystem::path run_dir_for(const std::string& name) {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  std::filesystem::path base = runtime != nullptr && *runtime != '\0' ? runtime : "/tmp";
  const passwd* user = getpwuid(getuid());
  const std::string user_name = user != nullptr ? user->pw_name : std::to_string(getuid());
  return base / ("vmesh-" + user_name) / name;
}

void save_run_state(const RunState& state) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& node : state.nodes) nodes.push_back(node_to_json(node));
  nlohmann::json launches = nlohmann::json::array();
  for (const auto& node : state.node_launches) {
    launches.push_back({{"qemu_argv", node.qemu_argv},
                        {"qemu_log", node.qemu_log.string()},
                        {"provision", node.provision},
                        {"setup", node.setup}});
  }
  nlohmann::json json = {{"name", state.name},
                         {"dir", state.dir.string()},
                         {"topology", state.topology.string()},
                         {"ssh_key", state.ssh_key.string()},
                         {"vmesh_pid", state.vmesh_pid},
                         {"relay_pid", state.relay_pid},
                         {"relay_start_ticks", state.relay_start_ticks},
                         {"relay_tcp_port", state.relay_tcp_port},
                         {"relay_control_port", state.relay_control_port},
                         {"relay_control_socket", state.relay_control_socket.string()},
                         {"relay_stats_jsonl", state.relay_stats_jsonl.string()},
                         {"nodes", nodes}};
  if (!state.relay_launch.relay.empty()) {
    json["launch"] = {{"relay", relay_launch_to_json(state.relay_launch)}, {"nodes", launches}};
  }
  write_file_atomic(state.dir / "state.json", json.dump(2) + "\n");
}

RunState load_run_state(const std::filesystem::path& dir) {
  const auto path = dir / "state.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("no run at {} (no state.json)", dir.string()));
  try {
    const auto json = nlohmann::json::parse(in);
    RunState state;
    state.name = json.at("name").get<std::string>();
    state.dir = json.at("dir").get<std::string>();
    state.topology = json.at("topology").get<std::string>();
    state.ssh_key = json.at("ssh_key").get<std::string>();
    state.vmesh_pid = json.at("vmesh_pid").get<pid_t>();
    state.relay_pid = json.at("relay_pid").get<pid_t>();
    state.relay_start_ticks = json.at("relay_start_ticks").get<std::uint64_t>();
    state.relay_tcp_port = json.at("relay_tcp_port").get<std::uint16_t>();
    state.relay_control_port = json.at("relay_control_port").get<std::uint16_t>();
    // Empty for a run started before the relay had a control socket.
    state.relay_control_socket = json.value("relay_control_socket", std::string());
    state.relay_stats_jsonl = json.value("relay_stats_jsonl", std::string());
    for (const auto& node : json.at("nodes")) state.nodes.push_back(node_from_json(node));
    if (json.contains("launch")) {
      const auto& launch = json["launch"];
      state.relay_launch = relay_launch_from_json(launch.at("relay"));
      for (const auto& node : launch.at("nodes")) {
        state.node_launches.push_back({node.at("qemu_argv").get<std::vector<std::string>>(),
                                       node.at("qemu_log").get<std::string>(),
                                       node.at("provision").get<std::vector<std::string>>(),
                                       node.value("setup", std::vector<std::string>())});
      }
    }
    return state;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", path.string(), e.what()));
  }
}

std::optional<std::uint64_t> process_start_ticks(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  const std::string text = read_text_file(fmt::format("/proc/{}/stat", pid));
  // The command name (field 2) may hold spaces; fields are counted after its ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return std::nullopt;
  }
  if (field.empty()) return std::nullopt;
  std::istringstream value(field);
  std::uint64_t ticks = 0;
  value >> ticks;
  // A zombie still has /proc/PID/stat; state 'Z' (field 3) counts as gone.
  std::istringstream state_field(text.substr(close + 2));
  char state = '?';
  state_field >> state;
  if (state == 'Z' || state == 'X') return std::nullopt;
  return ticks;
}

bool process_is(pid_t pid, std::uint64_t start_ticks) {
  const auto ticks = process_start_ticks(pid);
  return ticks && (start_ticks == 0 || *ticks == start_ticks);
}

}  // namespace vmesh::launcher
