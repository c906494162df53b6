#include "launcher/cli/run_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "launcher/checks/mesh_checks.hpp"
#include "launcher/plan/host_limits.hpp"
#include "launcher/plan/node_images.hpp"
#include "launcher/process/elapsed.hpp"
#include "launcher/process/interrupt.hpp"
#include "launcher/report/run_report.hpp"
#include "launcher/run/bring_up.hpp"
#include "launcher/run/recorded_run.hpp"
#include "launcher/run/run_timeline.hpp"
#include "launcher/scenario/scenario_parser.hpp"
#include "launcher/ssh/authorized_keys.hpp"

namespace vmesh::launcher {
namespace {

using Clock = std::chrono::steady_clock;

// Everything decided before any process starts. Throws UsageError / TopologyError.
struct Prepared {
  Scenario scenario;
  std::size_t node_count = 0;
  EnvSettings env;
  std::optional<Accel> accel;
  std::vector<std::optional<ImageSpec>> node_images;  // one per node; nullopt: vmesh's guest
};

Prepared prepare(const CliOptions& options, const ToolPaths& tools) {
  Prepared prepared;
  prepared.env = read_env_settings([](const char* name) { return std::getenv(name); });
  prepared.scenario = load_scenario_file(options.topology);
  const std::string topology_name = prepared.scenario.topology.meta.name.empty()
                                        ? options.topology.string()
                                        : prepared.scenario.topology.meta.name;
  prepared.node_count = resolve_node_count(options.nodes, prepared.env,
                                           prepared.scenario.topology.nodes.size(), topology_name);
  ImageSources sources;
  sources.default_recipe = tools.image_recipes / "libremesh.toml";
  if (options.image) {
    sources.run_image = std::filesystem::absolute(*options.image);
  } else if (prepared.env.image) {
    sources.run_image = std::filesystem::absolute(*prepared.env.image);
  }
  try {
    prepared.node_images = resolve_node_images(prepared.scenario, prepared.node_count, sources);
    check_host_limits(prepared.scenario, prepared.node_count, prepared.env.ssh_base_port,
                      read_host_limits(), prepared.node_images);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  for (const auto& file : options.authorized_keys) {
    try {
      read_public_keys(file);
    } catch (const std::runtime_error& e) {
      throw UsageError(fmt::format("--authorized-keys {}", e.what()));
    }
  }
  // /dev/kvm exists on these hosts but may be a PVM-only KVM that hangs stock kernels, so
  // the file says nothing: unless VMESH_ACCEL says, MeshRun::choose_accel probes.
  prepared.accel = prepared.env.accel;
  return prepared;
}

// prepare(), or nullopt after printing why the command line or scenario cannot run.
std::optional<Prepared> prepare_or_report(const CliOptions& options, const ToolPaths& tools) {
  try {
    return prepare(options, tools);
  } catch (const std::exception& e) {
    fmt::print(stderr, "vmesh: {}\n", e.what());
    return std::nullopt;
  }
}

MeshRunSetup make_setup(const CliOptions& options, const ToolPaths& tools, Prepared& prepared,
                        const std::string& run_name, bool detached) {
  MeshRunSetup setup;
  setup.scenario = prepared.scenario;
  setup.topology_path = options.topology;
  setup.node_count = prepared.node_count;
  setup.run_name = run_name;
  setup.run_dir = run_dir_for(run_name);
  setup.ssh_base_port = prepared.env.ssh_base_port;
  setup.accel = prepared.accel;
  setup.tools = tools;
  setup.detached = detached;
  setup.capture_path = options.capture_path;
  // The command line wins over the file, as for every other setting both can give.
  setup.relay_transport = options.relay_transport.value_or(
      prepared.scenario.relay_transport.value_or(RelayTransport::serial));
  setup.stats_path = options.stats_path;
  setup.deadline = Clock::now() + std::chrono::seconds(options.timeout_s);
  setup.ready_timeout = std::chrono::seconds(options.ready_timeout_s);
  setup.authorized_keys = options.authorized_keys;
  setup.ssh_key_only = options.ssh_key_only;
  setup.node_images = prepared.node_images;
  setup.boot_parallel = prepared.env.boot_parallel;
  std::filesystem::create_directories(setup.run_dir);
  generate_ssh_key(setup.run_dir / "id_ed25519", "vmesh-" + run_name);
  return setup;
}

std::vector<std::string> node_names(const Prepared& prepared) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < prepared.node_count; ++i)
    names.push_back(prepared.scenario.topology.nodes[i].name);
  return names;
}

// This vmesh, for COMMAND to call back (`$VMESH_BIN node kill n2 --name $VMESH_RUN`).
std::string self_executable() {
  std::error_code error;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string("vmesh") : path.string();
}

// Processes started for this run by other vmesh commands while COMMAND ran (`vmesh node
// start`, `vmesh relay restart`) are not this process's children: stopped through the
// run's state.json once this run's own children are gone.
void stop_recorded_strays(const std::filesystem::path& run_dir) {
  try {
    const RunState state = load_run_state(run_dir);
    for (const auto& node : state.nodes) {
      if (stop_recorded(node.pid, node.pid_start_ticks))
        fmt::print(stderr, "vmesh: stopped {} (pid {}, booted again during the run)\n", node.name,
                   node.pid);
    }
    if (stop_recorded(state.relay_pid, state.relay_start_ticks))
      fmt::print(stderr, "vmesh: stopped vmesh-relay (pid {}, restarted during the run)\n",
                 state.relay_pid);
  } catch (const std::exception&) {
    // No state.json: nothing was recorded beyond this process's own children.
  }
}

// Runs `-- COMMAND` with the node list in its environment; returns its exit code.
int run_user_command(const CliOptions& options, MeshRun& mesh,
                     const std::filesystem::path& nodes_file) {
  std::string nodes;
  for (const auto& node : mesh.plan().nodes) {
    nodes += fmt::format("{}{}=127.0.0.1:{}", nodes.empty() ? "" : " ", node.name, node.ssh_port);
  }
  SpawnOptions spawn;
  spawn.argv = options.command_argv;
  spawn.stdin_null = false;
  spawn.own_session = false;
  spawn.env = {
      "VMESH_NODES_FILE=" + nodes_file.string(),   "VMESH_NODES=" + nodes,
      "VMESH_SSH_KEY=" + mesh.key_path().string(), "VMESH_RUN_DIR=" + mesh.setup().run_dir.string(),
      "VMESH_RUN=" + mesh.setup().run_name,        "VMESH_BIN=" + self_executable()};
  auto child = ChildProcess::spawn(spawn);
  while (true) {
    if (interrupted()) {
      child.stop(std::chrono::milliseconds(2000));
      throw Interrupted();
    }
    if (auto code = child.wait_for(std::chrono::milliseconds(100))) return *code;
    if (Clock::now() >= mesh.setup().deadline) {
      child.stop(std::chrono::milliseconds(2000));
      throw std::runtime_error("the command did not finish before the run's timeout");
    }
  }
}

void print_failure(MeshRun* mesh, const std::filesystem::path& run_dir, const std::string& error) {
  if (!error.empty()) fmt::print(stderr, "vmesh: error: {}\n", error);
  if (mesh != nullptr) fmt::print(stderr, "{}", mesh->failure_report(8));
  fmt::print(stderr, "vmesh: logs kept in {}\n", run_dir.string());
}

}  // namespace

int command_run(const CliOptions& options, const ToolPaths& tools) {
  const auto started = Clock::now();
  auto prepared_or_none = prepare_or_report(options, tools);
  if (!prepared_or_none) return kExitUsage;
  Prepared& prepared = *prepared_or_none;
  const std::string run_name = fmt::format(
      "run-{}-{}",
      prepared.scenario.topology.meta.name.empty() ? "mesh" : prepared.scenario.topology.meta.name,
      getpid());
  Progress progress(isatty(STDERR_FILENO) != 0, node_names(prepared));
  RunReport report;
  report.topology = options.topology.string();
  std::filesystem::path run_dir = run_dir_for(run_name);
  report.run_dir = run_dir.string();
  int exit_code = kExitFailed;
  {
    std::optional<MeshRun> mesh;
    try {
      mesh.emplace(make_setup(options, tools, prepared, run_name, false), progress);
      report.relay_stats_jsonl = mesh->stats_jsonl_path().string();
      bring_up(*mesh);
      progress.finish();
      report.relay_pid = mesh->state().relay_pid;
      const auto state = mesh->state();
      report.nodes = state.nodes;
      const auto nodes_file = run_dir / "nodes.json";
      write_node_list(nodes_file, state.nodes);
      const auto checks_start = Clock::now();
      if (!options.command_argv.empty()) {
        report.command_exit = run_user_command(options, *mesh, nodes_file);
        report.passed = *report.command_exit == 0;
      } else {
        const RunOnNode run_on = [&](medium::NodeId node, const std::string& command,
                                     int timeout_ms) {
          return mesh->run_on(node, command, timeout_ms);
        };
        report.passed = true;
        for (const TimelineStep& step : order_timeline(prepared.scenario)) {
          const bool late = Clock::now() >= mesh->setup().deadline;
          if (step.kind == TimelineStep::Kind::action) {
            const auto& action = prepared.scenario.run_actions[step.index];
            ActionOutcome outcome;
            if (late) {
              outcome.name = action_name(prepared.scenario.topology, action);
              outcome.detail = "not run: the run's --timeout passed";
            } else {
              outcome = run_action(*mesh, prepared.scenario.topology, action, prepared.node_count);
              save_run_state(mesh->state());  // a restarted relay or VM has a new PID
            }
            report.actions.push_back(outcome);
            report.passed = report.passed && (outcome.passed || outcome.skipped);
            continue;
          }
          const auto& check = prepared.scenario.checks[step.index];
          if (late) {
            report.checks.push_back({check_name(prepared.scenario.topology, check), false, false,
                                     "not run: the run's --timeout passed", 0.0, 0});
            report.passed = false;
            continue;
          }
          report.checks.push_back(run_check(prepared.scenario.topology, mesh->plan(), check, run_on,
                                            30000, mesh->timeline_start()));
          report.passed =
              report.passed && (report.checks.back().passed || report.checks.back().skipped);
        }
        report.relay_pid = mesh->state().relay_pid;
      }
      report.times = mesh->times;
      report.times.checks_s = seconds_since(checks_start);
      exit_code = report.passed ? kExitPassed : kExitFailed;
      if (!report.passed) print_failure(&*mesh, run_dir, "");
    } catch (const Interrupted&) {
      progress.finish();
      report.error = "interrupted";
      fmt::print(stderr, "vmesh: interrupted, stopping every VM and the relay\n");
      exit_code = kExitInterrupted;
      if (mesh) report.times = mesh->times;
      if (mesh) report.relay_pid = mesh->state().relay_pid;
    } catch (const std::exception& e) {
      progress.finish();
      report.error = e.what();
      if (mesh) report.times = mesh->times;
      if (mesh) report.relay_pid = mesh->state().relay_pid;
      print_failure(mesh ? &*mesh : nullptr, run_dir, e.what());
      exit_code = kExitFailed;
    }
    // Leaving the scope tears the mesh down: sessions, VMs, relay.
  }
  stop_recorded_strays(run_dir);
  report.total_s = seconds_since(started);
  fmt::print("{}", format_report_table(report));
  if (options.json_path) {
    std::ofstream out(*options.json_path, std::ios::trunc);
    out << report_json(report);
    if (!out) fmt::print(stderr, "vmesh: cannot write {}\n", options.json_path->string());
  }
  if (exit_code == kExitPassed && !options.keep) {
    std::error_code ignored;
    std::filesystem::remove_all(run_dir, ignored);
  } else if (exit_code == kExitPassed) {
    fmt::print(stderr, "vmesh: run directory kept: {}\n", run_dir.string());
  }
  return exit_code;
}

int command_up(const CliOptions& options, const ToolPaths& tools) {
  auto prepared_or_none = prepare_or_report(options, tools);
  if (!prepared_or_none) return kExitUsage;
  Prepared& prepared = *prepared_or_none;
  const std::string run_name = options.run_name.empty() ? "default" : options.run_name;
  const auto run_dir = run_dir_for(run_name);
  if (std::filesystem::exists(run_dir / "state.json")) {
    fmt::print(stderr, "vmesh: run '{}' exists ({}); 'vmesh down --name {}' first\n", run_name,
               run_dir.string(), run_name);
    return kExitUsage;
  }
  Progress progress(isatty(STDERR_FILENO) != 0, node_names(prepared));
  std::optional<MeshRun> mesh;
  try {
    mesh.emplace(make_setup(options, tools, prepared, run_name, true), progress);
    bring_up(*mesh);
    progress.finish();
    const auto state = mesh->state();
    save_run_state(state);
    write_node_list(run_dir / "nodes.json", state.nodes);
    mesh->release();
    fmt::print("run '{}' is up: {} nodes; node list {}\n", run_name, state.nodes.size(),
               (run_dir / "nodes.json").string());
    for (const auto& node : state.nodes) {
      std::string image;
      if (!node.image.empty()) {
        image = fmt::format("  image {} ({})", node.image,
                            !node.ssh_key.empty() ? "key " + node.ssh_key.string()
                            : node.password && node.password->empty() ? "empty password"
                                                                      : "password");
      }
      fmt::print("  {}  ssh -p {} {}@{}  mesh {}  pid {}{}\n", node.name, node.ssh_port, node.user,
                 node.host, node.mesh_ip, node.pid, image);
    }
    return kExitPassed;
  } catch (const Interrupted&) {
    progress.finish();
    fmt::print(stderr, "vmesh: interrupted, stopping every VM and the relay\n");
    mesh.reset();
    std::filesystem::remove(run_dir / "state.json");
    return kExitInterrupted;
  } catch (const std::exception& e) {
    progress.finish();
    print_failure(mesh ? &*mesh : nullptr, run_dir, e.what());
    mesh.reset();
    std::filesystem::remove(run_dir / "state.json");
    return kExitFailed;
  }
}

}  // namespace vmesh::launcher
