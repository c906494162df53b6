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
#include "launcher/plan/boot_admission.hpp"
#include "launcher/process/elapsed.hpp"
#include "launcher/process/interrupt.hpp"
#include "launcher/run/accel_probe.hpp"
#include "launcher/run/node_login.hpp"
#include "launcher/run/wait_helper.hpp"
#include "launcher/scenario/node_profile.hpp"
#include "launcher/ssh/authorized_keys.hpp"

namespace vmesh::launcher {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string read_file(const std::filesystem::path& path) {
  return read_text_file(path);
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
    fmt::print(stderr,
               "vmesh: accel tcg, -accel {} -cpu {} (firmware images; VMESH_ACCEL=kvm "
               "forces KVM)\n",
               kTcgAccel, kTcgCpuModel);
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
  const auto deadline = std::min(setup_.deadline, start + setup_.ready_timeout);
  // The mesh wait's targets: nodes of a mesh profile (APs, stations and cells have their own).
  std::vector<bool> in_mesh(count, false);
  for (std::size_t i = 0; i < count; ++i) {
    in_mesh[i] = plan_.nodes[i].image ||
                 is_mesh_profile(profile_of(setup_.scenario, static_cast<medium::NodeId>(i)));
  }
  while (remaining > 0) {
    throw_if_interrupted();
    check_children_alive();
    for (std::size_t i = 0; i < count; ++i) {
      if (done[i]) continue;
      // A round over a large mesh takes long; the run's deadline holds within it.
      if (Clock::now() >= deadline) break;
      progress_.heartbeat([&] { return waiting_lines(done, last_probe); });
      const auto id = static_cast<medium::NodeId>(i);
      if (!in_mesh[i]) {
        if (profile_ready(i, last_probe[i])) {
          done[i] = true;
          --remaining;
          progress_.set(i, NodeStage::mesh);
        }
        continue;
      }
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
      auto targets = nodes_to_reach(setup_.scenario.topology, count, id, true);
      std::erase_if(targets, [&](medium::NodeId target) { return !in_mesh[target]; });
      // Tables complete is necessary but not enough (802.11s paths and ARP still settle):
      // the node counts once one IP ping to every target answers.
      if (!reaches_all(setup_.scenario.topology, state, targets)) {
        last_probe[i] =
            fmt::format("{} originators, {} batman neighbours, {} 802.11s peers",
                        state.originators.size(), state.neighbors.size(), state.peers.size());
      } else if (ping_all(i, targets, last_probe[i])) {
        done[i] = true;
        --remaining;
        progress_.set(i, NodeStage::mesh);
      }
    }
    if (remaining == 0) break;
    if (Clock::now() >= deadline) {
      std::string waiting;
      for (std::size_t i = 0; i < count; ++i) {
        if (done[i]) continue;
        if (plan_.nodes[i].image) {
          waiting += fmt::format("\n  {}: {}", plan_.nodes[i].name, last_probe[i]);
        } else {
          waiting +=
              fmt::format("\n  {} ({}): waited for {}; last seen: {}", plan_.nodes[i].name,
                          profile_name(profile_of(setup_.scenario, static_cast<medium::NodeId>(i))),
                          awaited(i), last_probe[i].empty() ? "nothing yet" : last_probe[i]);
        }
      }
      const bool run_deadline = deadline == setup_.deadline;
      throw std::runtime_error(fmt::format(
          "the nodes were not ready within {} ({:.0f} s); each node still waiting:{}",
          run_deadline ? "the run's --timeout" : "--ready-timeout", seconds_since(start), waiting));
    }
    std::this_thread::sleep_for(milliseconds(300));
  }
  times.mesh_s = seconds_since(start);
}

std::string MeshRun::waiting_lines(const std::vector<bool>& done,
                                   const std::vector<std::string>& last_probe) const {
  constexpr std::size_t kMaxListed = 6;
  std::string out;
  std::size_t listed = 0;
  std::size_t waiting = 0;
  for (std::size_t i = 0; i < done.size(); ++i) {
    if (done[i]) continue;
    if (++waiting > kMaxListed) continue;
    ++listed;
    const std::string what =
        plan_.nodes[i].image ? std::string("its image's readiness") : awaited(i);
    out += fmt::format("  {} waits for {}; seen: {}\n", plan_.nodes[i].name, what,
                       last_probe[i].empty() ? "nothing yet" : last_probe[i]);
  }
  if (waiting > listed) out += fmt::format("  and {} more node(s)\n", waiting - listed);
  return out;
}

bool MeshRun::ping_all(std::size_t node, const std::vector<medium::NodeId>& targets,
                       std::string& last) {
  std::string command = "for ip in";
  for (auto target : targets) command += " " + plan_.nodes.at(target).mesh_ip;
  // -W 2: over many hops of a loaded host a round trip can pass one second.
  command += "; do ping -c 1 -W 2 $ip >/dev/null 2>&1 || { echo $ip; exit 1; }; done";
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
    state.node_launches.push_back({node.qemu_argv, node.qemu_log_path,
                                   setup_.scenario.nodes[i].provision,
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
