// MeshRun and its relay: the command line (the relay is built from the same tree, so every
// option is passed directly), starting it and reading its ports file, and the files it
// writes.
#include <fstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "launcher/process/interrupt.hpp"
#include "launcher/process/text_file.hpp"
#include "launcher/run/mesh_run.hpp"

namespace vmesh::launcher {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void MeshRun::start_relay() {
  if (setup_.stats_path) {
    // The relay appends; a run starts its file afresh.
    std::ofstream truncate(stats_jsonl_path(), std::ios::trunc);
    if (!truncate) {
      throw std::runtime_error(
          fmt::format("--stats {}: cannot write the file", stats_jsonl_path().string()));
    }
  }
  spawn_relay(relay_argv());
  timeline_start_ = Clock::now();
}

std::vector<std::string> MeshRun::relay_argv() const {
  std::vector<std::string> argv = {setup_.tools.relay.string(), "-u", "--no-vsock", "--ports-file",
                                   (setup_.run_dir / "relay.ports").string()};
  if (relay_tcp_port_ == 0) {
    argv.insert(argv.end(), {"--ports-base", "0"});
  } else {
    // A restart: the same ports, since every QEMU reconnects to them.
    argv.insert(argv.end(),
                {"-t", std::to_string(relay_tcp_port_), "-s", std::to_string(relay_spy_port_), "-c",
                 std::to_string(relay_control_port_), "--port-txstatus",
                 std::to_string(relay_txstatus_port_)});
  }
  // The relay is built from the same tree: every option below exists.
  argv.insert(argv.end(), {"--topology", std::filesystem::absolute(setup_.topology_path).string(),
                           "--control-socket", control_socket_path().string()});
  // Per-link counters, written by the relay when it stops: kept with the logs.
  argv.insert(argv.end(), {"--stats-file", relay_stats_file().string()});
  if (relay_timeline_start_ms_ > 0) {
    argv.insert(argv.end(), {"--timeline-start-ms", std::to_string(relay_timeline_start_ms_)});
  }
  if (setup_.capture_path) argv.insert(argv.end(), {"--pcap", capture_file().string()});
  if (setup_.stats_path) argv.insert(argv.end(), {"--stats-jsonl", stats_jsonl_path().string()});
  return argv;
}

void MeshRun::spawn_relay(std::vector<std::string> argv) {
  const auto ports_file = setup_.run_dir / "relay.ports";
  const auto log = setup_.run_dir / "relay.log";
  std::filesystem::remove(ports_file);
  std::filesystem::remove(control_socket_path());  // left behind by a relay that was killed
  SpawnOptions options;
  options.argv = std::move(argv);
  options.stdout_to = log;
  options.stderr_to = log;
  options.die_with_parent = !setup_.detached;
  relay_ = ChildProcess::spawn(options);
  const auto deadline = std::min(setup_.deadline, Clock::now() + milliseconds(10000));
  while (!std::filesystem::exists(ports_file)) {
    throw_if_interrupted();
    if (auto code = relay_.try_wait()) {
      throw std::runtime_error(fmt::format("vmesh-relay exited ({}) at start; {}:\n{}", *code,
                                           log.string(), tail_lines(log, 15)));
    }
    if (Clock::now() >= deadline)
      throw std::runtime_error("vmesh-relay wrote no ports file within 10 s");
    std::this_thread::sleep_for(milliseconds(20));
  }
  const auto ports = nlohmann::json::parse(read_text_file(ports_file), nullptr, false);
  if (ports.is_discarded() || !ports.contains("tcp")) {
    throw std::runtime_error(
        fmt::format("cannot read the relay's ports from {}", ports_file.string()));
  }
  relay_tcp_port_ = ports["tcp"].get<std::uint16_t>();
  relay_spy_port_ = ports.value("spy", std::uint16_t{0});
  relay_txstatus_port_ = ports.value("txstatus", std::uint16_t{0});
  relay_control_port_ = ports.value("control", std::uint16_t{0});
}

std::filesystem::path MeshRun::relay_stats_file() const {
  return setup_.run_dir / "relay-stats.json";
}

std::filesystem::path MeshRun::capture_file() const {
  if (!setup_.capture_path) return {};
  auto path = std::filesystem::absolute(*setup_.capture_path);
  // A restarted relay would truncate the file: each relay writes its own.
  if (relay_restarts_ > 0) path += fmt::format(".restart{}", relay_restarts_);
  return path;
}

std::filesystem::path MeshRun::stats_jsonl_path() const {
  return setup_.stats_path ? std::filesystem::absolute(*setup_.stats_path)
                           : std::filesystem::path();
}

}  // namespace vmesh::launcher
