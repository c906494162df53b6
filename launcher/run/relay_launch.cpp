#include "launcher/run/relay_launch.hpp"

#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "launcher/process/interrupt.hpp"
#include "launcher/process/text_file.hpp"

namespace vmesh::launcher {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// The vhost-user sockets of a relay that is gone (the directory is made if missing). Only
// sockets: nothing else of the run lives there.
void remove_sockets(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_socket()) std::filesystem::remove(entry.path());
  }
}

}  // namespace

std::filesystem::path RelayLaunch::capture_file() const {
  if (!capture) return {};
  auto path = *capture;
  if (restarts > 0) path += fmt::format(".restart{}", restarts);
  return path;
}

std::vector<std::string> relay_argv(const RelayLaunch& launch, Clock::time_point now,
                                    RelayStart how) {
  std::vector<std::string> argv = {launch.relay.string(), "-u", "--no-vsock", "--ports-file",
                                   launch.ports_file().string()};
  if (launch.ports.tcp == 0) {
    argv.insert(argv.end(), {"--ports-base", "0"});
  } else {
    // A restart: the same ports, since every QEMU reconnects to them.
    argv.insert(argv.end(),
                {"-t", std::to_string(launch.ports.tcp), "-s", std::to_string(launch.ports.spy),
                 "-c", std::to_string(launch.ports.control), "--port-txstatus",
                 std::to_string(launch.ports.txstatus)});
  }
  // The relay is built from the same tree: every option below exists.
  argv.insert(argv.end(), {"--topology", launch.topology.string(), "--control-socket",
                           launch.control_socket().string()});
  // Per-link counters, written by the relay when it stops: kept with the logs.
  argv.insert(argv.end(), {"--stats-file", launch.stats_file().string()});
  if (launch.restarts > 0 && !launch.timeline_waiting) {
    const auto now_ms = std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count();
    const auto timeline_ms = std::max<std::int64_t>(1, now_ms - launch.timeline_start_steady_ms);
    argv.insert(argv.end(), {"--timeline-start-ms", std::to_string(timeline_ms)});
  }
  if (launch.capture) argv.insert(argv.end(), {"--pcap", launch.capture_file().string()});
  if (launch.stats_jsonl) argv.insert(argv.end(), {"--stats-jsonl", launch.stats_jsonl->string()});
  if (launch.vhost_user_dir)
    argv.insert(argv.end(), {"--vhost-user-dir", launch.vhost_user_dir->string()});
  if (how == RelayStart::take_over)
    argv.insert(argv.end(), {"--vhost-take-over", launch.handover_socket().string()});
  return argv;
}

ChildProcess spawn_relay(RelayLaunch& launch, bool detached, Clock::time_point deadline,
                         RelayStart how) {
  const auto ports_file = launch.ports_file();
  const auto log = launch.log();
  std::filesystem::remove(ports_file);
  std::filesystem::remove(launch.control_socket());  // left behind by a relay that was killed
  if (launch.vhost_user_dir && how != RelayStart::take_over) remove_sockets(*launch.vhost_user_dir);
  SpawnOptions options;
  options.argv = relay_argv(launch, Clock::now(), how);
  options.stdout_to = log;
  options.stderr_to = log;
  options.die_with_parent = !detached;
  auto relay = ChildProcess::spawn(options);
  const auto give_up = std::min(deadline, Clock::now() + milliseconds(10000));
  while (!std::filesystem::exists(ports_file)) {
    throw_if_interrupted();
    if (auto code = relay.try_wait()) {
      throw std::runtime_error(fmt::format("vmesh-relay exited ({}) at start; {}:\n{}", *code,
                                           log.string(), tail_lines(log, 15)));
    }
    if (Clock::now() >= give_up)
      throw std::runtime_error("vmesh-relay wrote no ports file within 10 s");
    std::this_thread::sleep_for(milliseconds(20));
  }
  const auto ports = nlohmann::json::parse(read_text_file(ports_file), nullptr, false);
  if (ports.is_discarded() || !ports.contains("tcp")) {
    throw std::runtime_error(
        fmt::format("cannot read the relay's ports from {}", ports_file.string()));
  }
  launch.ports.tcp = ports["tcp"].get<std::uint16_t>();
  launch.ports.spy = ports.value("spy", std::uint16_t{0});
  launch.ports.txstatus = ports.value("txstatus", std::uint16_t{0});
  launch.ports.control = ports.value("control", std::uint16_t{0});
  return relay;
}

bool relay_bound_all(const std::string& relay_log_text,
                     const std::vector<std::string>& node_names) {
  for (const auto& name : node_names) {
    if (relay_log_text.find(fmt::format("bound to node {} by", name)) == std::string::npos)
      return false;
  }
  return true;
}

nlohmann::json relay_launch_to_json(const RelayLaunch& launch) {
  nlohmann::json json = {{"relay", launch.relay.string()},
                         {"run_dir", launch.run_dir.string()},
                         {"topology", launch.topology.string()},
                         {"tcp", launch.ports.tcp},
                         {"spy", launch.ports.spy},
                         {"control", launch.ports.control},
                         {"txstatus", launch.ports.txstatus},
                         {"timeline_start_steady_ms", launch.timeline_start_steady_ms},
                         {"timeline_waiting", launch.timeline_waiting},
                         {"restarts", launch.restarts}};
  if (launch.capture) json["capture"] = launch.capture->string();
  if (launch.stats_jsonl) json["stats_jsonl"] = launch.stats_jsonl->string();
  if (launch.vhost_user_dir) json["vhost_user_dir"] = launch.vhost_user_dir->string();
  return json;
}

RelayLaunch relay_launch_from_json(const nlohmann::json& json) {
  RelayLaunch launch;
  launch.relay = json.at("relay").get<std::string>();
  launch.run_dir = json.at("run_dir").get<std::string>();
  launch.topology = json.at("topology").get<std::string>();
  launch.ports.tcp = json.at("tcp").get<std::uint16_t>();
  launch.ports.spy = json.at("spy").get<std::uint16_t>();
  launch.ports.control = json.at("control").get<std::uint16_t>();
  launch.ports.txstatus = json.at("txstatus").get<std::uint16_t>();
  launch.timeline_start_steady_ms = json.at("timeline_start_steady_ms").get<std::int64_t>();
  launch.restarts = json.at("restarts").get<int>();
  launch.timeline_waiting = json.value("timeline_waiting", false);
  if (json.contains("capture")) launch.capture = json["capture"].get<std::string>();
  if (json.contains("stats_jsonl")) launch.stats_jsonl = json["stats_jsonl"].get<std::string>();
  if (json.contains("vhost_user_dir"))
    launch.vhost_user_dir = json["vhost_user_dir"].get<std::string>();
  return launch;
}

}  // namespace vmesh::launcher
