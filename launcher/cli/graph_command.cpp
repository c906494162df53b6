#include "launcher/cli/graph_command.hpp"

#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "launcher/cli/run_command.hpp"
#include "launcher/control/relay_control.hpp"
#include "launcher/report/graphviz.hpp"
#include "launcher/run/run_state.hpp"
#include "launcher/scenario/scenario_parser.hpp"
#include "medium/topology_dot.hpp"

namespace vmesh::launcher {
namespace {

// --format, else the output file's extension, else SVG.
GraphFormat format_of(const CliOptions& options) {
  if (options.graph_format) return *options.graph_format;
  if (options.output_path) {
    const auto ext = options.output_path->extension().string();
    if (ext == ".dot" || ext == ".gv") return GraphFormat::dot;
    if (ext == ".png") return GraphFormat::png;
  }
  return GraphFormat::svg;
}

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

// The counters of the run's relay, or an error message.
struct LiveStats {
  medium::MeasuredLinks links;
  std::filesystem::path topology;
  std::string error;
  int exit_code = kExitUsage;  // for the error: usage, or the relay failing to answer
};

LiveStats live_stats(const CliOptions& options) {
  LiveStats live;
  const std::string name = options.run_name.empty() ? "default" : options.run_name;
  RunState state;
  try {
    state = load_run_state(run_dir_for(name));
  } catch (const std::exception& e) {
    live.error =
        fmt::format("--live: {} (start one with 'vmesh up TOPOLOGY --name {}')", e.what(), name);
    return live;
  }
  live.topology = state.topology;
  if (!options.topology.empty() && !same_file(options.topology, state.topology)) {
    live.error = fmt::format("--live: run '{}' runs {}, not {}", name, state.topology.string(),
                             options.topology.string());
    return live;
  }
  if (!process_is(state.relay_pid, state.relay_start_ticks) || state.relay_control_socket.empty()) {
    live.error = fmt::format("--live: the relay of run '{}' is not running", name);
    live.exit_code = kExitFailed;
    return live;
  }
  const auto reply = relay_control_exchange(state.relay_control_socket, "stats\n");
  if (!reply || reply->rfind("{", 0) != 0) {
    live.error = fmt::format("--live: the relay of run '{}' gave no stats on {}{}", name,
                             state.relay_control_socket.string(), reply ? ": " + *reply : "");
    live.exit_code = kExitFailed;
    return live;
  }
  live.links = medium::parse_relay_stats(*reply);
  return live;
}

}  // namespace

int command_graph(const CliOptions& options) {
  medium::MeasuredLinks measured;
  std::filesystem::path topology_path = options.topology;
  if (options.live) {
    LiveStats live = live_stats(options);
    if (!live.error.empty()) {
      fmt::print(stderr, "vmesh: {}\n", live.error);
      return live.exit_code;
    }
    measured = std::move(live.links);
    topology_path = live.topology;
  }
  medium::Topology topology;
  try {
    topology = load_scenario_file(topology_path).topology;
  } catch (const std::exception& e) {
    fmt::print(stderr, "vmesh: {}\n", e.what());
    return kExitUsage;
  }
  const std::string dot = medium::topology_to_dot(topology, measured);
  const GraphFormat format = format_of(options);
  if (format == GraphFormat::dot) {
    if (!options.output_path) {
      fmt::print("{}", dot);
      return kExitPassed;
    }
    std::ofstream out(*options.output_path, std::ios::trunc);
    out << dot;
    if (!out.flush()) {
      fmt::print(stderr, "vmesh: cannot write {}\n", options.output_path->string());
      return kExitFailed;
    }
    return kExitPassed;
  }
  if (format == GraphFormat::png && !options.output_path) {
    fmt::print(stderr, "vmesh: --format png needs -o FILE.png\n");
    return kExitUsage;
  }
  try {
    std::fflush(stdout);  // dot writes to the same stdout when there is no -o
    render_with_dot(dot, format == GraphFormat::png ? "png" : "svg", options.output_path);
  } catch (const std::exception& e) {
    fmt::print(stderr, "vmesh: {}\n", e.what());
    return kExitFailed;
  }
  return kExitPassed;
}

}  // namespace vmesh::launcher
