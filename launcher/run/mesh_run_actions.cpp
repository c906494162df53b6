// MeshRun's timeline actions: killing a node's QEMU, booting it again, restarting the
// relay on the same ports. Each keeps the run's processes owned by PID and its logs
// appended, so the serial console and relay.log tell the whole run.
#include <signal.h>

#include <thread>

#include <fmt/format.h>

#include "launcher/process/elapsed.hpp"
#include "launcher/process/interrupt.hpp"
#include "launcher/process/text_file.hpp"
#include "launcher/run/mesh_run.hpp"
#include "launcher/run/node_login.hpp"
#include "launcher/run/relay_handover.hpp"

namespace vmesh::launcher {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

}  // namespace

void MeshRun::kill_node(medium::NodeId node) {
  if (node >= vms_.size()) throw std::runtime_error("node_kill: that node was not started");
  const auto& name = plan_.nodes[node].name;
  if (killed_[node]) throw std::runtime_error(fmt::format("node_kill: {} is already killed", name));
  sessions_[node].reset();
  if (vms_[node].owns_process()) ::kill(vms_[node].pid(), SIGKILL);
  vms_[node].stop(milliseconds(0));  // reaps
  killed_[node] = true;
  killed_at_[node] = Clock::now();
  console_offset_[node] = file_size_or_zero(plan_.nodes[node].log_path);
  progress_.set(node, NodeStage::booting);
}

double MeshRun::start_node(medium::NodeId node) {
  if (node >= vms_.size() || !killed_[node])
    throw std::runtime_error("node_start: that node is running");
  const auto& plan = plan_.nodes[node];
  const auto start = Clock::now();
  SpawnOptions options;
  options.argv = plan.qemu_argv;
  options.stdout_to = plan.qemu_log_path;
  options.stderr_to = plan.qemu_log_path;
  options.die_with_parent = !setup_.detached;
  vms_[node] = ChildProcess::spawn(options);
  killed_[node] = false;
  while (true) {
    throw_if_interrupted();
    check_children_alive();
    if (Clock::now() >= setup_.deadline) {
      throw std::runtime_error(
          fmt::format("node_start: {} gave no SSH login within the run's timeout", plan.name));
    }
    if (try_login(node)) break;
    std::this_thread::sleep_for(milliseconds(200));
  }
  const double boot_s = seconds_since(start);
  progress_.set(node, NodeStage::ssh);
  provision_node(node);
  return boot_s;
}

MeshRun::RelayRestart MeshRun::restart_relay(std::chrono::microseconds down_for,
                                             milliseconds reconnect_timeout) {
  RelayRestart result;
  const auto log = relay_launch_.log();
  const auto stopped = Clock::now();
  std::size_t log_offset = 0;  // where the new relay's lines start in the log
  if (relay_launch_.vhost_user_dir) {
    log_offset = hand_relay_over(down_for);
  } else {
    relay_.stop(milliseconds(3000));
    std::this_thread::sleep_for(down_for);
    throw_if_interrupted();
    ++relay_launch_.restarts;
    log_offset = file_size_or_zero(log);
    relay_ = spawn_relay(relay_launch_, setup_.detached, setup_.deadline);
  }
  result.down_s = seconds_since(stopped);

  const auto listening = Clock::now();
  const auto deadline = std::min(setup_.deadline, listening + reconnect_timeout);
  while (true) {
    throw_if_interrupted();
    check_children_alive();
    const std::string text = read_text_file(log);
    const std::string since = log_offset < text.size() ? text.substr(log_offset) : "";
    std::vector<std::string> running;
    for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
      if (!killed_[i]) running.push_back(plan_.nodes[i].name);
    }
    const bool all = relay_bound_all(since, running);
    if (all) {
      result.all_reconnected = true;
      break;
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  result.reconnected_s = seconds_since(listening);
  return result;
}

std::size_t MeshRun::hand_relay_over(std::chrono::microseconds down_for) {
  const auto down_for_ms = std::chrono::duration_cast<milliseconds>(down_for);
  // The old relay waits for its successor while the medium is down, and 30 s more for the
  // new relay to start and take over.
  ask_relay_to_hand_over(relay_launch_, down_for_ms + milliseconds(30000));
  std::this_thread::sleep_for(down_for);
  throw_if_interrupted();
  ++relay_launch_.restarts;
  const std::size_t log_offset = file_size_or_zero(relay_launch_.log());
  ChildProcess old_relay = std::move(relay_);
  relay_ = spawn_relay(relay_launch_, setup_.detached, setup_.deadline, RelayStart::take_over);
  wait_for_take_over(relay_launch_, log_offset, Clock::now() + milliseconds(15000));
  // It exits 0 once the new relay acknowledged; anything else is worth a look.
  const auto code = old_relay.wait_for(milliseconds(10000));
  if (code != 0) {
    const int stopped_code = code ? *code : old_relay.stop(milliseconds(1000));
    throw std::runtime_error(fmt::format(
        "the old relay did not exit cleanly after handing its front ends over (exit code {}); "
        "see {}",
        stopped_code, relay_launch_.log().string()));
  }
  return log_offset;
}

}  // namespace vmesh::launcher
