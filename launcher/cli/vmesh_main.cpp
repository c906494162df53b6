// vmesh: runs a topology of QEMU mesh nodes around vmesh-relay and checks it.
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "launcher/cli/action_commands.hpp"
#include "launcher/cli/admin_commands.hpp"
#include "launcher/cli/graph_command.hpp"
#include "launcher/cli/run_command.hpp"
#include "launcher/process/interrupt.hpp"

namespace {

std::filesystem::path tool_path(const char* env_name, const char* built_in) {
  const char* value = std::getenv(env_name);
  return value != nullptr && *value != '\0' ? value : built_in;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vmesh::launcher;
  const std::vector<std::string> args(argv + 1, argv + argc);
  CliOptions options;
  try {
    options = parse_cli(args);
  } catch (const UsageError& e) {
    fmt::print(stderr, "vmesh: {}\n{}", e.what(), usage_text());
    return kExitUsage;
  }
  install_interrupt_handlers();
  const ToolPaths tools{tool_path("VMESH_RELAY_BIN", VMESH_RELAY_PATH),
                        tool_path("VMESH_AGENT_BIN", VMESH_AGENT_PATH),
                        tool_path("VMESH_IMAGE_SCRIPTS", VMESH_IMAGE_SCRIPTS_DIR),
                        tool_path("VMESH_IMAGE_RECIPES", VMESH_IMAGE_RECIPES_DIR)};
  switch (options.command) {
    case Command::run:
      return command_run(options, tools);
    case Command::up:
      return command_up(options, tools);
    case Command::down:
      return command_down(options);
    case Command::status:
      return command_status(options);
    case Command::ssh:
      return command_ssh(options);
    case Command::exec:
      return command_exec(options);
    case Command::logs:
      return command_logs(options);
    case Command::link:
      return command_link(options);
    case Command::graph:
      return command_graph(options);
    case Command::node:
      return command_node(options);
    case Command::relay:
      return command_relay(options);
    case Command::capture:
      return command_capture(options);
    case Command::stats:
      return command_stats(options);
    case Command::help:
      fmt::print("{}", usage_text());
      return kExitPassed;
  }
  return kExitUsage;
}
