// Starting a run's VMs (boot admission) and logging in to them.
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "launcher/plan/boot_admission.hpp"
#include "launcher/process/elapsed.hpp"
#include "launcher/process/interrupt.hpp"
#include "launcher/run/mesh_run.hpp"
#include "launcher/run/node_login.hpp"
#include "launcher/run/wait_helper.hpp"
#include "launcher/ssh/authorized_keys.hpp"

namespace vmesh::launcher {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

}  // namespace

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
  inputs.host_cpus = usable_cpus();
  inputs.relay_transport = setup_.relay_transport;
  inputs.guest_qemu = guest_qemu_;
  inputs.host_qemu_reconnect_ms = host_qemu_reconnect_ms_;
  inputs.vhost_user_dir = vhost_user_dir();
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
  vms_.resize(plan_.nodes.size());
  const std::size_t cpus = inputs.host_cpus;
  boots_allowed_ = boots_at_once(setup_.boot_parallel, cpus, plan_.nodes.size());
  if (boots_allowed_ < plan_.nodes.size()) {
    fmt::print(stderr,
               "vmesh: booting at most {} nodes at a time ({}; VMESH_BOOT_PARALLEL "
               "changes it), the others as earlier ones reach SSH\n",
               boots_allowed_,
               setup_.boot_parallel
                   ? "VMESH_BOOT_PARALLEL"
                   : fmt::format("{} per usable CPU, {} CPUs", kBootsPerCpu, cpus));
  }
  while (next_to_spawn_ < plan_.nodes.size() && next_to_spawn_ < boots_allowed_)
    spawn_node(next_to_spawn_++);
  sessions_.resize(plan_.nodes.size());
  killed_.assign(plan_.nodes.size(), false);
  console_offset_.assign(plan_.nodes.size(), 0);
  killed_at_.assign(plan_.nodes.size(), {});
  next_login_.assign(plan_.nodes.size(), {});
}

void MeshRun::spawn_node(std::size_t i) {
  const auto& node = plan_.nodes[i];
  std::ofstream(node.log_path, std::ios::trunc).flush();
  SpawnOptions options;
  options.argv = node.qemu_argv;
  options.stdout_to = node.qemu_log_path;
  options.stderr_to = node.qemu_log_path;
  options.die_with_parent = !setup_.detached;
  vms_[i] = ChildProcess::spawn(options);
  progress_.set(i, NodeStage::booting);
}

void MeshRun::admit_waiting_nodes() {
  std::size_t booting = 0;
  for (std::size_t i = 0; i < next_to_spawn_; ++i) booting += sessions_[i] ? 0U : 1U;
  bool spawned = false;
  while (next_to_spawn_ < plan_.nodes.size() && booting < boots_allowed_) {
    spawn_node(next_to_spawn_++);
    ++booting;
    spawned = true;
  }
  // `vmesh down` (and a killed vmesh's successor) must find every VM started so far.
  if (spawned && setup_.detached) save_run_state(state());
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
        if (!sessions_[i])
          waiting += " " + plan_.nodes[i].name + (i < next_to_spawn_ ? "" : " (not started)");
      }
      throw std::runtime_error(fmt::format("no SSH login within the run's timeout on:{}", waiting));
    }
    bool progressed = false;
    for (std::size_t i = 0; i < next_to_spawn_; ++i) {
      if (sessions_[i] || !try_login(i)) continue;
      ++connected;
      progressed = true;
      progress_.set(i, NodeStage::ssh);
    }
    if (progressed) admit_waiting_nodes();
    progress_.heartbeat();
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

}  // namespace vmesh::launcher
