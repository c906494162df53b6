#include "launcher/run/recorded_run.hpp"

#include <signal.h>

#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "launcher/process/elapsed.hpp"
#include "launcher/process/interrupt.hpp"
#include "launcher/process/text_file.hpp"
#include "launcher/run/node_login.hpp"
#include "launcher/run/relay_handover.hpp"

namespace vmesh::launcher {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void require_launch_record(const RunState& state) {
  if (state.relay_launch.relay.empty() || state.node_launches.size() != state.nodes.size()) {
    throw std::runtime_error(fmt::format(
        "run '{}' was started by a vmesh that recorded no launch commands; restart the run",
        state.name));
  }
}

// state.json, and nodes.json next to it (the node list tests read) when it exists.
void save_recorded(const RunState& state) {
  save_run_state(state);
  const auto nodes_file = state.dir / "nodes.json";
  if (std::filesystem::exists(nodes_file)) write_node_list(nodes_file, state.nodes);
}

// The handover's end, once the new relay runs: it took the front ends over, and the old
// relay (it exits 0 once they are taken) is gone. Either failing stops the old relay and
// throws.
void finish_handover(const RelayLaunch& launch, pid_t old_pid, std::uint64_t old_start_ticks,
                     std::size_t log_offset) {
  try {
    wait_for_take_over(launch, log_offset, Clock::now() + milliseconds(15000));
  } catch (...) {
    stop_recorded(old_pid, old_start_ticks);  // it would wait for another taker in vain
    throw;
  }
  for (int i = 0; i < 1000 && process_is(old_pid, old_start_ticks); ++i)
    std::this_thread::sleep_for(milliseconds(10));
  if (stop_recorded(old_pid, old_start_ticks)) {
    throw std::runtime_error(fmt::format(
        "the old relay (pid {}) was still running 10 s after handing its front ends over; "
        "stopped it; see {}",
        old_pid, launch.log().string()));
  }
}

}  // namespace

bool stop_recorded(pid_t pid, std::uint64_t start_ticks) {
  if (!process_is(pid, start_ticks)) return false;
  kill(pid, SIGTERM);
  for (int i = 0; i < 300 && process_is(pid, start_ticks); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  if (process_is(pid, start_ticks)) kill(pid, SIGKILL);
  return true;
}

std::size_t recorded_node_index(const RunState& state, const std::string& name) {
  for (std::size_t i = 0; i < state.nodes.size(); ++i) {
    if (state.nodes[i].name == name) return i;
  }
  std::string names;
  for (const auto& node : state.nodes) names += " " + node.name;
  throw std::runtime_error(
      fmt::format("run '{}' has no node '{}' (its nodes:{})", state.name, name, names));
}

void kill_recorded_node(RunState& state, std::size_t node) {
  NodeRecord& record = state.nodes.at(node);
  if (!process_is(record.pid, record.pid_start_ticks)) {
    throw std::runtime_error(fmt::format("{} is not running", record.name));
  }
  kill(record.pid, SIGKILL);
  for (int i = 0; i < 500 && process_is(record.pid, record.pid_start_ticks); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  save_recorded(state);
}

double start_recorded_node(RunState& state, std::size_t node, Clock::time_point deadline) {
  require_launch_record(state);
  NodeRecord& record = state.nodes.at(node);
  const NodeLaunch& launch = state.node_launches.at(node);
  if (process_is(record.pid, record.pid_start_ticks)) {
    throw std::runtime_error(fmt::format("{} is running (pid {}); 'vmesh node kill {}' first",
                                         record.name, record.pid, record.name));
  }
  const auto start = Clock::now();
  // The console is appended to: only the new boot's "ready" line counts.
  const auto console_offset = file_size_or_zero(record.log_path);
  SpawnOptions options;
  options.argv = launch.qemu_argv;
  options.stdout_to = launch.qemu_log;
  options.stderr_to = launch.qemu_log;
  options.die_with_parent = false;
  auto vm = ChildProcess::spawn(options);
  record.pid = vm.pid();
  record.pid_start_ticks = process_start_ticks(vm.pid()).value_or(0);
  save_recorded(state);  // from here `vmesh down` finds the new VM
  std::optional<SshSession> session;
  Clock::time_point next_try{};
  while (!session) {
    throw_if_interrupted();
    if (auto code = vm.try_wait()) {
      throw std::runtime_error(fmt::format("QEMU of {} exited ({}); {}:\n{}", record.name, *code,
                                           launch.qemu_log.string(),
                                           tail_lines(launch.qemu_log, 10)));
    }
    if (Clock::now() >= deadline) {
      vm.stop(milliseconds(3000));
      throw std::runtime_error(fmt::format("{} gave no SSH login in time; its console {}:\n{}",
                                           record.name, record.log_path.string(),
                                           tail_lines(record.log_path, 15)));
    }
    session = record.image.empty() ? login_when_ready(record.log_path, console_offset,
                                                      record.ssh_port, state.ssh_key)
                                   : login_to_image(record, next_try);
    if (!session) std::this_thread::sleep_for(milliseconds(200));
  }
  const double boot_s = seconds_since(start);
  if (!launch.setup.empty())
    run_setup(*session, record.name, launch.setup, state.dir / (record.name + ".setup.log"));
  run_provision(*session, record.name, launch.provision);
  vm.release();
  return boot_s;
}

RelayRestartResult restart_recorded_relay(RunState& state, milliseconds down_for,
                                          milliseconds reconnect_timeout) {
  require_launch_record(state);
  RelayRestartResult result;
  RelayLaunch& launch = state.relay_launch;
  const auto stopped = Clock::now();
  const pid_t old_pid = state.relay_pid;
  const std::uint64_t old_start_ticks = state.relay_start_ticks;
  if (launch.vhost_user_dir) {
    // QEMU never connects to a new relay: the old one hands its front ends over instead.
    ask_relay_to_hand_over(launch, down_for + milliseconds(30000));
  } else {
    stop_recorded(old_pid, old_start_ticks);
  }
  std::this_thread::sleep_for(down_for);
  throw_if_interrupted();
  ++launch.restarts;
  const auto log_offset = file_size_or_zero(launch.log());
  const RelayStart how =
      launch.vhost_user_dir ? RelayStart::take_over : RelayStart::first_or_restart;
  ChildProcess relay;
  try {
    relay = spawn_relay(launch, true, Clock::now() + milliseconds(10000), how);
  } catch (...) {
    // A handing-over relay would wait in vain for its successor.
    if (launch.vhost_user_dir) stop_recorded(old_pid, old_start_ticks);
    throw;
  }
  state.relay_pid = relay.pid();
  state.relay_start_ticks = process_start_ticks(relay.pid()).value_or(0);
  save_recorded(state);
  relay.release();
  if (launch.vhost_user_dir) finish_handover(launch, old_pid, old_start_ticks, log_offset);
  result.down_s = seconds_since(stopped);

  std::vector<std::string> running;
  for (const auto& node : state.nodes) {
    if (process_is(node.pid, node.pid_start_ticks)) running.push_back(node.name);
  }
  const auto listening = Clock::now();
  while (true) {
    throw_if_interrupted();
    const std::string text = read_text_file(launch.log());
    if (relay_bound_all(log_offset < text.size() ? text.substr(log_offset) : "", running)) {
      result.all_reconnected = true;
      break;
    }
    if (Clock::now() >= listening + reconnect_timeout) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  result.reconnected_s = seconds_since(listening);
  return result;
}

}  // namespace vmesh::launcher
