#include "launcher/cli/admin_commands.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "launcher/cli/run_command.hpp"
#include "launcher/cli/run_lookup.hpp"
#include "launcher/control/relay_control.hpp"
#include "launcher/process/replayable_input.hpp"
#include "launcher/process/text_file.hpp"
#include "launcher/run/node_login.hpp"
#include "launcher/run/recorded_run.hpp"
#include "launcher/ssh/ssh_session.hpp"

namespace vmesh::launcher {
namespace {

// The run's node called `name`, or nullptr after saying on stderr that there is none.
const NodeRecord* find_node_or_report(const RunState& state, const std::string& name) {
  for (const auto& node : state.nodes) {
    if (node.name == name) return &node;
  }
  fmt::print(stderr, "vmesh: run {} has no node '{}'\n", state.name, name);
  return nullptr;
}

}  // namespace

int command_down(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  for (auto it = state->nodes.rbegin(); it != state->nodes.rend(); ++it) {
    if (stop_recorded(it->pid, it->pid_start_ticks))
      fmt::print("stopped {} (pid {})\n", it->name, it->pid);
  }
  if (stop_recorded(state->relay_pid, state->relay_start_ticks)) {
    fmt::print("stopped vmesh-relay (pid {})\n", state->relay_pid);
  }
  if (options.keep) {
    std::filesystem::remove(state->dir / "state.json");
    fmt::print("run directory kept: {}\n", state->dir.string());
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(state->dir, ignored);
  }
  return kExitPassed;
}

int command_status(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  const bool relay_alive = process_is(state->relay_pid, state->relay_start_ticks);
  // Per-link counters straight from the relay (`stats` on its control socket), when it runs.
  nlohmann::json links;
  if (relay_alive && !state->relay_control_socket.empty()) {
    if (auto stats = relay_control_exchange(state->relay_control_socket, "stats\n")) {
      links = nlohmann::json::parse(*stats, nullptr, false);
    }
  }
  if (options.json_output) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& node : state->nodes) {
      auto json = node_to_json(node);
      json["running"] = process_is(node.pid, node.pid_start_ticks);
      nodes.push_back(json);
    }
    const nlohmann::json json = {
        {"name", state->name},
        {"dir", state->dir.string()},
        {"topology", state->topology.string()},
        {"ssh_key", state->ssh_key.string()},
        {"relay",
         {{"pid", state->relay_pid},
          {"running", relay_alive},
          {"tcp", state->relay_tcp_port},
          {"control", state->relay_control_port},
          {"control_socket", state->relay_control_socket.string()},
          {"stats_jsonl", state->relay_stats_jsonl.empty()
                              ? nlohmann::json()
                              : nlohmann::json(state->relay_stats_jsonl.string())}}},
        {"nodes", nodes},
        {"links",
         links.is_object() && links.contains("links") ? links["links"] : nlohmann::json::array()}};
    fmt::print("{}\n", json.dump(2));
    return kExitPassed;
  }
  fmt::print("run {} ({}), topology {}\n", state->name, state->dir.string(),
             state->topology.string());
  fmt::print("relay pid {} {} tcp {} control {} socket {}\n", state->relay_pid,
             relay_alive ? "running" : "gone", state->relay_tcp_port, state->relay_control_port,
             state->relay_control_socket.string());
  if (!state->relay_stats_jsonl.empty())
    fmt::print("relay stats (one JSON line a second) in {}\n", state->relay_stats_jsonl.string());
  for (const auto& node : state->nodes) {
    fmt::print("{:<8} pid {:<8} {:<8} ssh 127.0.0.1:{}  mesh {}  mac {}\n", node.name, node.pid,
               process_is(node.pid, node.pid_start_ticks) ? "running" : "gone", node.ssh_port,
               node.mesh_ip, node.mac_prefix);
  }
  if (links.is_object() && links.contains("links") && !links["links"].empty()) {
    fmt::print("\n{:<14} {:>10} {:>10} {:>7} {:>10}  {}\n", "link", "sent", "delivered", "ratio",
               "delay us", "dropped");
    for (const auto& link : links["links"]) {
      const auto sent = link.value("sent", std::uint64_t{0});
      const auto delivered = link.value("delivered", std::uint64_t{0});
      std::string dropped;
      for (const auto& [reason, count] : link["dropped"].items()) {
        if (count.get<std::uint64_t>() > 0)
          dropped += fmt::format("{}={} ", reason, count.get<std::uint64_t>());
      }
      fmt::print("{:<14} {:>10} {:>10} {:>6.1f}% {:>10}  {}\n",
                 fmt::format("{}->{}", link.value("from", "?"), link.value("to", "?")), sent,
                 delivered,
                 sent ? 100.0 * static_cast<double>(delivered) / static_cast<double>(sent) : 0.0,
                 link.value("mean_delay_us", std::uint64_t{0}), dropped.empty() ? "-" : dropped);
    }
  }
  return kExitPassed;
}

int command_ssh(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  const auto* node = find_node_or_report(*state, options.node);
  if (node == nullptr) return kExitUsage;
  if (options.command_argv.empty()) {
    // An interactive shell needs a terminal; OpenSSH's client does that best.
    std::vector<std::string> args = {"ssh",
                                     "-p",
                                     std::to_string(node->ssh_port),
                                     "-o",
                                     "StrictHostKeyChecking=no",
                                     "-o",
                                     "UserKnownHostsFile=/dev/null",
                                     "-o",
                                     "LogLevel=ERROR"};
    const SshLogin login = login_of(*node);
    if (!login.key.empty()) {
      args.insert(args.end(), {"-i", login.key.string()});
    } else {
      // A firmware image's password: OpenSSH asks SSH_ASKPASS, a script that prints it from
      // the environment (never written to a file).
      const auto askpass = state->dir / "askpass.sh";
      write_file_atomic(askpass, "#!/bin/sh\nprintf '%s\\n' \"$VMESH_SSH_PASSWORD\"\n");
      std::filesystem::permissions(askpass, std::filesystem::perms::owner_all);
      setenv("SSH_ASKPASS", askpass.c_str(), 1);
      setenv("SSH_ASKPASS_REQUIRE", "force", 1);
      setenv("VMESH_SSH_PASSWORD", login.password.value_or("").c_str(), 1);
      args.insert(args.end(), {"-o", "PubkeyAuthentication=no"});
    }
    args.push_back(login.user + "@" + node->host);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execvp("ssh", argv.data());
    fmt::print(stderr, "vmesh: cannot run ssh for an interactive shell; give a command after --\n");
    return kExitFailed;
  }
  std::string command;
  for (const auto& word : options.command_argv) command += (command.empty() ? "" : " ") + word;
  try {
    auto session = SshSession::connect(node->host, node->ssh_port, login_of(*node), 10000);
    // Like ssh(1): what is piped in is the command's input (`vmesh ssh n1 -- 'cat > f' <
    // file`); a terminal is not, since the command runs without one.
    const int input_fd = ::isatty(STDIN_FILENO) != 0 ? -1 : STDIN_FILENO;
    const auto result = session.run(command, static_cast<int>(options.timeout_s) * 1000, input_fd);
    std::cout << result.out << std::flush;
    std::cerr << result.err << std::flush;
    return result.exit_status;
  } catch (const std::exception& e) {
    fmt::print(stderr, "vmesh: {}\n", e.what());
    return kExitFailed;
  }
}

int command_exec(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  std::string command;
  for (const auto& word : options.command_argv) command += (command.empty() ? "" : " ") + word;
  // With --stdin, what is piped in goes to every node's command, whole. Not by default: the
  // input is read to its end before any command runs, and an input left open by a caller
  // that never closes it would hold the run (`vmesh ssh` streams, so it needs no flag).
  std::optional<ReplayableInput> input;
  if (options.exec_stdin) {
    try {
      input = ReplayableInput::copy_of(STDIN_FILENO);
    } catch (const std::exception& e) {
      fmt::print(stderr, "vmesh: exec: {}\n", e.what());
      return kExitUsage;
    }
  }
  int worst = 0;
  for (const auto& node : state->nodes) {
    try {
      auto session = SshSession::connect(node.host, node.ssh_port, login_of(node), 10000);
      const auto result = session.run(command, static_cast<int>(options.timeout_s) * 1000,
                                      input ? input->rewound_fd() : -1);
      fmt::print("==== {} (exit {})\n{}", node.name, result.exit_status, result.out);
      if (!result.err.empty()) fmt::print(stderr, "{}", result.err);
      if (result.exit_status != 0) worst = kExitFailed;
    } catch (const std::exception& e) {
      fmt::print(stderr, "vmesh: {}: {}\n", node.name, e.what());
      worst = kExitFailed;
    }
  }
  return worst;
}

int command_logs(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  const auto* node = find_node_or_report(*state, options.node);
  if (node == nullptr) return kExitUsage;
  std::ifstream in(node->log_path);
  if (!in) {
    fmt::print(stderr, "vmesh: cannot read {}\n", node->log_path.string());
    return kExitFailed;
  }
  std::cout << in.rdbuf() << std::flush;
  return kExitPassed;
}

}  // namespace vmesh::launcher

namespace vmesh::launcher {

int command_link(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  if (state->relay_control_socket.empty()) {
    fmt::print(stderr, "vmesh: run '{}' recorded no relay control socket\n", state->name);
    return kExitFailed;
  }
  std::string line;
  for (const auto& word : options.link_words) line += (line.empty() ? "link " : " ") + word;
  const std::optional<std::string> reply =
      relay_control_exchange(state->relay_control_socket, line + "\n");
  if (!reply) {
    fmt::print(stderr, "vmesh: the relay of run '{}' does not answer on {}\n", state->name,
               state->relay_control_socket.string());
    return kExitFailed;
  }
  if (reply->rfind("ok", 0) == 0) {
    fmt::print("{}: applied\n", line);
    return kExitPassed;
  }
  fmt::print(stderr, "vmesh: relay refused '{}': {}", line, *reply);
  return kExitUsage;
}

}  // namespace vmesh::launcher
