#include "launcher/run/mesh_run.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "launcher/checks/mesh_probe.hpp"
#include "launcher/process/elapsed.hpp"
#include "launcher/process/interrupt.hpp"
#include "launcher/run/accel_probe.hpp"
#include "launcher/run/node_login.hpp"
#include "launcher/ssh/authorized_keys.hpp"

namespace vmesh::launcher {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string read_file(const std::filesystem::path& path) {
  return read_text_file(path);
}

// Waits for a helper program; throws naming it when it fails, overruns or is interrupted.
void wait_helper(ChildProcess& child, const std::string& what, Clock::time_point deadline,
                 const std::filesystem::path& log) {
  while (true) {
    throw_if_interrupted();
    if (auto code = child.wait_for(milliseconds(100))) {
      if (*code != 0) {
        throw std::runtime_error(fmt::format("{} failed (exit {}); {}:\n{}", what, *code,
                                             log.string(), tail_lines(log, 15)));
      }
      return;
    }
    if (Clock::now() >= deadline) {
      child.stop(milliseconds(1000));
      throw std::runtime_error(fmt::format("{} did not finish before the run's timeout", what));
    }
  }
}

}  // namespace

MeshRun::MeshRun(MeshRunSetup setup, Progress& progress)
    : setup_(std::move(setup)), progress_(progress) {}

MeshRun::~MeshRun() {
  teardown();
}

void MeshRun::teardown() noexcept {
  sessions_.clear();
  // QEMU exits promptly on SIGTERM; stop all first, then reap, so slow ones overlap.
  for (auto& vm : vms_) {
    if (vm.owns_process()) kill(vm.pid(), SIGTERM);
  }
  for (auto it = vms_.rbegin(); it != vms_.rend(); ++it) it->stop(milliseconds(3000));
  vms_.clear();
  relay_.stop(milliseconds(3000));
}

void MeshRun::release() {
  sessions_.clear();
  for (auto& vm : vms_) vm.release();
  relay_.release();
}

bool MeshRun::has_vmesh_guest() const {
  for (std::size_t i = 0; i < setup_.node_count; ++i) {
    if (i >= setup_.node_images.size() || !setup_.node_images[i]) return true;
  }
  return false;
}

void MeshRun::build_image() {
  const auto start = Clock::now();
  if (!has_vmesh_guest()) return;  // every node boots a firmware image
  progress_.phase("building or reusing the guest image");
  const auto out = setup_.run_dir / "image.path";
  const auto log = setup_.run_dir / "image.log";
  SpawnOptions options;
  options.argv = {"bash", (setup_.tools.image_scripts / "build-image.sh").string(), "--agent",
                  setup_.tools.agent.string()};
  options.stdout_to = out;
  options.stderr_to = log;
  options.die_with_parent = !setup_.detached;
  auto child = ChildProcess::spawn(options);
  wait_helper(child, "build-image.sh", setup_.deadline, log);
  std::string path = read_file(out);
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
  if (const auto nl = path.rfind('\n'); nl != std::string::npos) path = path.substr(nl + 1);
  image_dir_ = path;
  if (path.empty() || !std::filesystem::exists(image_dir_ / "vmlinux")) {
    throw std::runtime_error(
        fmt::format("build-image.sh printed '{}', not an image directory", path));
  }
  times.image_s = seconds_since(start);
}

void MeshRun::choose_accel() {
  if (setup_.accel) {
    fmt::print(stderr, "vmesh: accel {} (VMESH_ACCEL)\n",
               *setup_.accel == Accel::kvm ? "kvm" : "tcg");
    return;
  }
  if (image_dir_.empty()) {
    // The probe boots vmesh's guest kernel, which a run of firmware images does not build.
    setup_.accel = Accel::tcg;
    fmt::print(stderr, "vmesh: accel tcg, -accel {} -cpu {} (firmware images; VMESH_ACCEL=kvm "
               "forces KVM)\n", kTcgAccel, kTcgCpuModel);
    return;
  }
  const char* cache = std::getenv("VMESH_CACHE_DIR");
  const char* home = std::getenv("HOME");
  const std::filesystem::path cache_dir =
      cache != nullptr && *cache != '\0'
          ? std::filesystem::path(cache)
          : std::filesystem::path(home != nullptr ? home : "/tmp") / ".cache/vmesh";
  const auto choice =
      probe_accel(image_dir_, setup_.run_dir, cache_dir / "accel-probe", milliseconds(3000));
  setup_.accel = choice.accel;
  if (choice.accel == Accel::kvm) {
    fmt::print(stderr, "vmesh: accel kvm ({})\n", choice.reason);
  } else {
    fmt::print(stderr, "vmesh: accel tcg, -accel {} -cpu {} ({}; VMESH_ACCEL=kvm forces KVM)\n",
               kTcgAccel, kTcgCpuModel, choice.reason);
  }
}

void MeshRun::start_nodes() {
  std::vector<std::string> notes;
  PlanInputs inputs;
  inputs.node_count = setup_.node_count;
  inputs.ssh_ports = pick_ssh_ports(setup_.ssh_base_port, setup_.node_count, notes);
  for (const auto& note : notes) fmt::print(stderr, "vmesh: {}\n", note);
  inputs.relay_tcp_port = relay_launch_.ports.tcp;
  inputs.relay_txstatus_port = relay_launch_.ports.txstatus;
  inputs.run_dir = setup_.run_dir;
  inputs.image_dir = image_dir_;
  inputs.ssh_public_key = setup_.run_dir / "authorized_keys";
  inputs.ssh_blank_password = !setup_.ssh_key_only;
  const char* home = std::getenv("HOME");
  write_file_atomic(inputs.ssh_public_key,
                    compose_authorized_keys(key_path().string() + ".pub",
                                            home != nullptr && *home != '\0'
                                                ? std::optional<std::filesystem::path>(
                                                      std::filesystem::path(home) / ".ssh")
                                                : std::nullopt,
                                            setup_.authorized_keys));
  inputs.image_scripts_dir = setup_.tools.image_scripts;
  inputs.accel = setup_.accel.value_or(Accel::tcg);
  inputs.relay_transport = setup_.relay_transport;
  inputs.node_images = setup_.node_images;
  plan_ = plan_run(setup_.scenario, inputs);
  for (const auto& node : plan_.nodes) {
    if (node.cpio_argv.empty()) continue;  // a firmware image: nothing of vmesh's goes in
    SpawnOptions cpio;
    cpio.argv = node.cpio_argv;
    const auto cpio_log = setup_.run_dir / (node.name + ".cpio.log");
    cpio.stdout_to = cpio_log;
    cpio.stderr_to = cpio_log;
    auto child = ChildProcess::spawn(cpio);
    wait_helper(child, "make-node-cpio.sh for " + node.name, setup_.deadline, cpio_log);
  }
  for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
    const auto& node = plan_.nodes[i];
    std::ofstream(node.log_path, std::ios::trunc).flush();
    SpawnOptions options;
    options.argv = node.qemu_argv;
    options.stdout_to = node.qemu_log_path;
    options.stderr_to = node.qemu_log_path;
    options.die_with_parent = !setup_.detached;
    vms_.push_back(ChildProcess::spawn(options));
    progress_.set(i, NodeStage::booting);
  }
  sessions_.resize(plan_.nodes.size());
  killed_.assign(plan_.nodes.size(), false);
  console_offset_.assign(plan_.nodes.size(), 0);
  killed_at_.assign(plan_.nodes.size(), {});
  next_login_.assign(plan_.nodes.size(), {});
}

void MeshRun::check_children_alive() {
  if (auto code = relay_.try_wait()) {
    throw std::runtime_error(fmt::format("vmesh-relay exited ({}); {}:\n{}", *code,
                                         (setup_.run_dir / "relay.log").string(),
                                         tail_lines(setup_.run_dir / "relay.log", 15)));
  }
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    if (killed_[i]) continue;
    if (auto code = vms_[i].try_wait()) {
      const auto& node = plan_.nodes[i];
      throw std::runtime_error(fmt::format("QEMU of {} exited ({}); {}:\n{}{}:\n{}", node.name,
                                           *code, node.qemu_log_path.string(),
                                           tail_lines(node.qemu_log_path, 10),
                                           node.log_path.string(), tail_lines(node.log_path, 15)));
    }
  }
}

void MeshRun::wait_ssh() {
  const auto start = Clock::now();
  std::size_t connected = 0;
  while (connected < plan_.nodes.size()) {
    throw_if_interrupted();
    check_children_alive();
    if (Clock::now() >= setup_.deadline) {
      std::string waiting;
      for (std::size_t i = 0; i < sessions_.size(); ++i) {
        if (!sessions_[i]) waiting += " " + plan_.nodes[i].name;
      }
      throw std::runtime_error(fmt::format("no SSH login within the run's timeout on:{}", waiting));
    }
    bool progressed = false;
    for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
      if (sessions_[i] || !try_login(i)) continue;
      ++connected;
      progressed = true;
      progress_.set(i, NodeStage::ssh);
    }
    if (!progressed) std::this_thread::sleep_for(milliseconds(200));
  }
  times.boot_to_ssh_s = seconds_since(start);
}

bool MeshRun::try_login(std::size_t i) {
  const auto& node = plan_.nodes[i];
  if (node.image) {
    sessions_[i] = login_to_image(record_of(i), next_login_[i]);
  } else {
    sessions_[i] = login_when_ready(node.log_path, console_offset_[i], node.ssh_port, key_path());
  }
  return sessions_[i].has_value();
}

void MeshRun::provision() {
  // Nodes are prepared side by side (each node's commands in order): under emulation a
  // firmware image's setup takes seconds per node, which would add up over a large mesh.
  std::vector<std::exception_ptr> errors(plan_.nodes.size());
  std::vector<std::thread> workers;
  for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
    workers.emplace_back([this, i, &errors] {
      try {
        provision_node(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& worker : workers) worker.join();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);  // the first node's, in node order
  }
}

void MeshRun::provision_node(std::size_t i) {
  const auto& node = plan_.nodes[i];
  if (node.image) {
    run_setup(*sessions_[i], node.name, node.image->setup,
              setup_.run_dir / (node.name + ".setup.log"));
  }
  run_provision(*sessions_[i], node.name, setup_.scenario.nodes[i].provision);
}

void MeshRun::wait_mesh() {
  const auto start = Clock::now();
  const std::size_t count = plan_.nodes.size();
  std::vector<bool> done(count, false);
  std::vector<bool> tools_checked(count, false);
  std::vector<std::string> last_probe(count);
  std::size_t remaining = count;
  while (remaining > 0) {
    throw_if_interrupted();
    check_children_alive();
    for (std::size_t i = 0; i < count; ++i) {
      if (done[i]) continue;
      const auto id = static_cast<medium::NodeId>(i);
      if (plan_.nodes[i].image && plan_.nodes[i].image->ready) {
        if (image_ready(i, last_probe[i])) {
          done[i] = true;
          --remaining;
          progress_.set(i, NodeStage::mesh);
        }
        continue;
      }
      if (plan_.nodes[i].image && !tools_checked[i]) {
        image_ready(i, last_probe[i]);  // throws when the image lacks batctl or iw
        tools_checked[i] = true;
      }
      NodeMeshState state;
      try {
        state = probe_node(*sessions_[i], 10000);
      } catch (const SshError& e) {
        last_probe[i] = e.what();
        continue;
      }
      bool radio_up = !state.neighbors.empty();
      for (const auto& peer : state.peers) radio_up = radio_up || peer.established;
      if (radio_up) progress_.set(i, NodeStage::radio);
      const auto targets = nodes_to_reach(setup_.scenario.topology, count, id, true);
      // Tables complete is necessary but not enough (802.11s paths and ARP still settle):
      // the node counts once one IP ping to every target answers.
      if (!reaches_all(setup_.scenario.topology, state, targets)) {
        last_probe[i] = fmt::format("{} originators, {} batman neighbours, {} 802.11s peers",
                                    state.originators.size(), state.neighbors.size(),
                                    state.peers.size());
      } else if (ping_all(i, targets, last_probe[i])) {
        done[i] = true;
        --remaining;
        progress_.set(i, NodeStage::mesh);
      }
    }
    if (remaining == 0) break;
    if (Clock::now() >= setup_.deadline) {
      std::string waiting;
      for (std::size_t i = 0; i < count; ++i) {
        if (!done[i]) waiting += fmt::format("\n  {}: {}", plan_.nodes[i].name, last_probe[i]);
      }
      throw std::runtime_error(fmt::format(
          "the mesh did not form within the run's timeout; last probe of each node waited for:{}",
          waiting));
    }
    std::this_thread::sleep_for(milliseconds(300));
  }
  times.mesh_s = seconds_since(start);
}

bool MeshRun::ping_all(std::size_t node, const std::vector<medium::NodeId>& targets,
                       std::string& last) {
  std::string command = "for ip in";
  for (auto target : targets) command += " " + plan_.nodes.at(target).mesh_ip;
  command += "; do ping -c 1 -W 1 $ip >/dev/null 2>&1 || { echo $ip; exit 1; }; done";
  try {
    const auto result = sessions_[node]->run(command, 20000);
    if (result.exit_status == 0) return true;
    last = fmt::format("no ping answer from {}", result.out);
  } catch (const SshError& e) {
    last = e.what();
  }
  return false;
}

SshResult MeshRun::run_on(medium::NodeId node, const std::string& command, int timeout_ms) {
  if (node_killed(node)) {
    throw SshError(fmt::format("{} is not running (node_kill)", plan_.nodes[node].name));
  }
  if (node >= sessions_.size() || !sessions_[node]) {
    throw SshError(fmt::format("no SSH session to node {}", node + 1));
  }
  return sessions_[node]->run(command, timeout_ms);
}

RunState MeshRun::state() const {
  RunState state;
  state.name = setup_.run_name;
  state.dir = setup_.run_dir;
  state.topology = std::filesystem::absolute(setup_.topology_path);
  state.ssh_key = key_path();
  state.vmesh_pid = getpid();
  state.relay_pid = relay_.pid();
  state.relay_start_ticks = process_start_ticks(relay_.pid()).value_or(0);
  state.relay_tcp_port = relay_launch_.ports.tcp;
  state.relay_control_port = relay_launch_.ports.control;
  state.relay_control_socket = control_socket_path();
  state.relay_stats_jsonl = stats_jsonl_path();
  state.relay_launch = relay_launch_;
  for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
    const auto& node = plan_.nodes[i];
    state.node_launches.push_back(
        {node.qemu_argv, node.qemu_log_path, setup_.scenario.nodes[i].provision,
         node.image ? node.image->setup : std::vector<std::string>()});
    state.nodes.push_back(record_of(i));
  }
  return state;
}

NodeRecord MeshRun::record_of(std::size_t i) const {
  const auto& node = plan_.nodes[i];
  NodeRecord record;
  record.name = node.name;
  record.index = node.index;
  record.ssh_port = node.ssh_port;
  record.mesh_ip = node.mesh_ip;
  record.mac_prefix = node.mac_prefix;
  record.radios = setup_.scenario.nodes[i].radios.value_or(1);
  record.log_path = node.log_path;
  record.ssh_key = key_path();
  if (node.image) {
    record.ssh_key = node.image->login_key;
    record.user = node.image->login_user;
    record.password = node.image->login_password;
    record.image = node.image->image_name;
    record.ssh_guest = node.image->ssh_guest;
  }
  if (i < vms_.size()) {
    record.pid = vms_[i].pid();
    record.pid_start_ticks = process_start_ticks(record.pid).value_or(0);
  }
  return record;
}

std::string MeshRun::failure_report(std::size_t lines) const {
  std::string out;
  for (const auto& node : plan_.nodes) {
    out += fmt::format("  {} serial console {} (last lines):\n{}", node.name,
                       node.log_path.string(), tail_lines(node.log_path, lines));
  }
  const auto relay_log = setup_.run_dir / "relay.log";
  if (std::filesystem::exists(relay_log)) {
    out += fmt::format("  relay log {} (last lines):\n{}", relay_log.string(),
                       tail_lines(relay_log, 5));
  }
  return out;
}

}  // namespace vmesh::launcher
