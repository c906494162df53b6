#include "launcher/cli/action_commands.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "launcher/cli/run_command.hpp"
#include "launcher/cli/run_lookup.hpp"
#include "launcher/control/relay_control.hpp"
#include "launcher/process/interrupt.hpp"
#include "launcher/run/recorded_run.hpp"

namespace vmesh::launcher {
namespace {

using Clock = std::chrono::steady_clock;

// One text command on the run's relay control socket; the reply, or nullopt after saying
// why there is none.
std::optional<std::string> ask_relay(const RunState& state, const std::string& line) {
  if (state.relay_control_socket.empty()) {
    fmt::print(stderr, "vmesh: run '{}' recorded no relay control socket\n", state.name);
    return std::nullopt;
  }
  auto reply = relay_control_exchange(state.relay_control_socket, line + "\n", 10000);
  if (!reply) {
    fmt::print(stderr, "vmesh: the relay of run '{}' does not answer on {}\n", state.name,
               state.relay_control_socket.string());
  }
  return reply;
}

}  // namespace

int command_node(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  try {
    const std::size_t node = recorded_node_index(*state, options.node);
    if (options.action == "kill") {
      kill_recorded_node(*state, node);
      fmt::print("{}: killed (power cut)\n", options.node);
      return kExitPassed;
    }
    const auto deadline = Clock::now() + std::chrono::seconds(options.timeout_s);
    const double boot_s = start_recorded_node(*state, node, deadline);
    if (options.json_output) {
      fmt::print("{}\n", nlohmann::json({{"node", options.node}, {"boot_s", boot_s}}).dump());
    } else {
      fmt::print("{}: up, SSH login {:.1f} s after start\n", options.node, boot_s);
    }
    return kExitPassed;
  } catch (const Interrupted&) {
    fmt::print(stderr, "vmesh: interrupted\n");
    return kExitInterrupted;
  } catch (const std::exception& e) {
    fmt::print(stderr, "vmesh: node {} {}: {}\n", options.action, options.node, e.what());
    return kExitFailed;
  }
}

int command_relay(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  try {
    const auto result = restart_recorded_relay(
        *state, std::chrono::milliseconds(options.down_for_ms), std::chrono::milliseconds(30000));
    if (options.json_output) {
      fmt::print("{}\n", nlohmann::json({{"down_s", result.down_s},
                                         {"reconnected_s", result.reconnected_s},
                                         {"all_reconnected", result.all_reconnected}})
                             .dump());
    } else {
      fmt::print("relay restarted: down {:.2f} s, {} in {:.2f} s\n", result.down_s,
                 result.all_reconnected ? "every running node bound again"
                                        : "NOT every running node bound again",
                 result.reconnected_s);
    }
    if (!result.all_reconnected) {
      fmt::print(stderr, "vmesh: not every running node came back within 30 s; see {}\n",
                 state->relay_launch.log().string());
      return kExitFailed;
    }
    return kExitPassed;
  } catch (const Interrupted&) {
    fmt::print(stderr, "vmesh: interrupted\n");
    return kExitInterrupted;
  } catch (const std::exception& e) {
    fmt::print(stderr, "vmesh: relay restart: {}\n", e.what());
    return kExitFailed;
  }
}

int command_capture(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  const std::string line = options.action == "start"
                               ? "capture start " + std::filesystem::absolute(options.file).string()
                               : std::string("capture stop");
  const auto reply = ask_relay(*state, line);
  if (!reply) return kExitFailed;
  if (reply->rfind("error", 0) == 0) {
    fmt::print(stderr, "vmesh: relay refused '{}': {}", line, *reply);
    return kExitFailed;
  }
  fmt::print("{}", *reply);
  return kExitPassed;
}

int command_stats(const CliOptions& options) {
  auto state = load_or_report(options);
  if (!state) return kExitUsage;
  const auto reply = ask_relay(*state, "stats");
  if (!reply) return kExitFailed;
  fmt::print("{}", *reply);
  return kExitPassed;
}

}  // namespace vmesh::launcher
