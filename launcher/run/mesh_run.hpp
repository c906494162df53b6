// One running mesh: the relay, one QEMU per node and an SSH session to each, owned in that
// order and torn down in reverse (sessions, VMs, relay) by the destructor.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "launcher/plan/run_plan.hpp"
#include "launcher/process/child_process.hpp"
#include "launcher/run/progress.hpp"
#include "launcher/run/relay_launch.hpp"
#include "launcher/run/run_state.hpp"
#include "launcher/scenario/scenario.hpp"
#include "launcher/ssh/ssh_ports.hpp"
#include "launcher/ssh/ssh_session.hpp"
#include "medium/topology.hpp"

namespace vmesh::launcher {

struct ToolPaths {
  std::filesystem::path relay;          // vmesh-relay
  std::filesystem::path agent;          // static vmesh-agent for the image
  std::filesystem::path image_scripts;  // launcher/image
  std::filesystem::path image_recipes;  // configs/images: firmware image recipes
};

struct MeshRunSetup {
  Scenario scenario;
  std::filesystem::path topology_path;
  std::size_t node_count = 0;
  std::string run_name;
  std::filesystem::path run_dir;
  std::uint16_t ssh_base_port = 2222;
  std::optional<Accel> accel;  // nullopt: probe KVM (choose_accel)
  ToolPaths tools;
  bool detached = false;  // vmesh up: children outlive vmesh (no PR_SET_PDEATHSIG)
  std::optional<std::filesystem::path> capture_path;  // relay --pcap
  RelayTransport relay_transport = RelayTransport::serial;
  std::optional<std::filesystem::path> stats_path;  // relay --stats-jsonl
  std::chrono::steady_clock::time_point deadline;
  std::vector<std::filesystem::path> authorized_keys;  // --authorized-keys, besides ~/.ssh/id_*.pub
  bool ssh_key_only = false;                           // --ssh-key-only
  // One per node (resolve_node_images): nullopt boots vmesh's guest, a spec that firmware.
  std::vector<std::optional<ImageSpec>> node_images;
  std::optional<std::size_t> boot_parallel;  // VMESH_BOOT_PARALLEL; nullopt: boot_admission
  // How long wait_mesh waits for every node to be ready (--ready-timeout), within deadline.
  std::chrono::seconds ready_timeout{300};
};

struct PhaseTimes {
  double image_s = 0;
  double boot_to_ssh_s = 0;
  double mesh_s = 0;
  double checks_s = 0;
};

class MeshRun {
 public:
  MeshRun(MeshRunSetup setup, Progress& progress);
  MeshRun(const MeshRun&) = delete;
  MeshRun& operator=(const MeshRun&) = delete;
  // Sessions, then VMs (SIGTERM, then SIGKILL), then the relay. Never throws.
  ~MeshRun();

  // Each step throws std::runtime_error naming what failed, or Interrupted.
  void build_image();   // build-image.sh (cached)
  void choose_qemu();   // the host's QEMU's version; vhost-user: the host's QEMU if it has
                        // the device, else the cached Debian 13 one (build-qemu-root.sh);
                        // asked once per run
  void choose_accel();  // VMESH_ACCEL, else the cached KVM probe; says the choice once
  void start_relay();   // vmesh-relay, waits for its ports file
  void start_nodes();   // per-node cpio + QEMU
  void wait_ssh();      // libssh login to every node
  void provision();     // a firmware image's setup commands, then each node's `provision`
                        // commands, in order; a non-zero exit fails
  void wait_mesh();     // each node ready by its profile: batman-adv originator and
                        // translation tables complete (mesh, sae-mesh), hostapd beaconing
                        // (ap), associated with an address (sta), IBSS peers (ibss), or a
                        // firmware image's `ready` command exits 0
  // Once every node is ready: t = 0 of a timeline that waited for them (meta
  // timeline_start = "ready"), on the relay (`timeline start`) and for the run's actions and
  // checks. Nothing for a timeline that started with the run.
  void start_waiting_timeline();

  const RunPlan& plan() const { return plan_; }
  const MeshRunSetup& setup() const { return setup_; }
  // The relay's control socket (--control-socket): text commands such as `stats`.
  std::filesystem::path control_socket_path() const { return relay_launch_.control_socket(); }
  // The relay's --stats-jsonl file (absolute), empty without --stats.
  std::filesystem::path stats_jsonl_path() const;
  // When the relay's timeline started (t = 0 of the topology's events): the moment its
  // ports file appeared, at most one poll interval after the relay's own clock started.
  std::chrono::steady_clock::time_point timeline_start() const { return timeline_start_; }
  // Timeline actions (the topology's node_kill / node_start / relay_restart), each timed
  // from its start; throw std::runtime_error naming what failed.
  // SIGKILL the node's QEMU (a power cut: the guest gets no shutdown); drops its session.
  void kill_node(medium::NodeId node);
  // Boots a killed node again with the same command line, waits for SSH and runs its
  // provision commands. Returns the seconds from start to SSH login.
  double start_node(medium::NodeId node);
  bool node_killed(medium::NodeId node) const { return node < killed_.size() && killed_[node]; }
  // When the node was last killed (nullopt if never).
  std::optional<std::chrono::steady_clock::time_point> killed_at(medium::NodeId node) const {
    if (node >= killed_at_.size() || killed_at_[node] == std::chrono::steady_clock::time_point{})
      return std::nullopt;
    return killed_at_[node];
  }
  struct RelayRestart {
    double down_s = 0;         // relay stopped until listening again on the same ports
    double reconnected_s = 0;  // from listening until every running node was bound again
    bool all_reconnected = false;
  };
  // SIGTERM the relay, wait `down_for`, start it again on the same ports with its timeline
  // continued (--timeline-start-ms); then waits up to `reconnect_timeout` for every running
  // node to be bound again. No VM is touched. On the vhost-user transport the old relay
  // hands its front ends to the new one instead of stopping (hand_relay_over). Throws
  // std::runtime_error when the new relay cannot start or take the front ends over.
  RelayRestart restart_relay(std::chrono::microseconds down_for,
                             std::chrono::milliseconds reconnect_timeout);
  // Runs a command on a node over its session. Throws SshError.
  SshResult run_on(medium::NodeId node, const std::string& command, int timeout_ms);
  RunState state() const;
  std::filesystem::path key_path() const { return setup_.run_dir / "id_ed25519"; }
  PhaseTimes times;
  // Last lines of the logs that explain a failure (serial consoles, QEMU, relay).
  std::string failure_report(std::size_t lines) const;
  // Stops owning the processes (vmesh up); they keep running.
  void release();
  // Stops everything now (same as the destructor).
  void teardown() noexcept;

 private:
  // restart_relay on the vhost-user transport: the running relay hands its front ends to a
  // new one started with --vhost-take-over (relay_handover.hpp), the medium down for
  // `down_for` in between; waits for the take-over and the old relay's clean exit. Returns
  // where the new relay's lines start in its log.
  std::size_t hand_relay_over(std::chrono::microseconds down_for);
  // Throws (with the log tails) when the relay or a QEMU has exited (killed nodes aside).
  void check_children_alive();
  void provision_node(std::size_t node);
  // Logs in to a node whose serial console reported "ready" for its current boot; false
  // when it has not yet or the login failed.
  bool try_login(std::size_t node);
  // One IP ping from `node` to each target's mesh IP; false (and `last` says which) if any
  // stays unanswered.
  bool ping_all(std::size_t node, const std::vector<medium::NodeId>& targets, std::string& last);
  // A firmware image node: true once its `ready` command exits 0; without one, throws unless
  // the image has batctl and iw for the usual mesh wait (then false: use it).
  bool image_ready(std::size_t node, std::string& last);
  // A vmesh guest whose profile is not a mesh: true once its profile's readiness holds
  // (mesh_run_ready.cpp); `last` says what was seen.
  bool profile_ready(std::size_t node, std::string& last);
  // What wait_mesh waits for on a node, for the timeout message.
  std::string awaited(std::size_t node) const;
  // Off a terminal, under the periodic status line: each node not yet ready (at most six),
  // what it waits for and what its last probe saw.
  std::string waiting_lines(const std::vector<bool>& done,
                            const std::vector<std::string>& last_probe) const;
  // The node as recorded in state.json and the node list.
  NodeRecord record_of(std::size_t node) const;
  bool has_vmesh_guest() const;
  // The relay's vhost-user socket directory, empty unless a vmesh guest uses the transport.
  std::filesystem::path vhost_user_dir() const;
  // Starts node's QEMU (boot admission decides when).
  void spawn_node(std::size_t node);
  // Starts queued nodes while fewer than boots_allowed_ are between QEMU start and login.
  void admit_waiting_nodes();
  // t = 0 of the run's timeline, also recorded for a relay started again.
  void set_timeline_start(std::chrono::steady_clock::time_point start);
  MeshRunSetup setup_;
  std::chrono::steady_clock::time_point timeline_start_{};
  Progress& progress_;
  std::filesystem::path image_dir_;
  std::string guest_qemu_ = "qemu-system-x86_64";  // choose_qemu
  bool host_qemu_reconnect_ms_ = false;            // choose_qemu: takes_reconnect_ms
  RelayLaunch relay_launch_;
  RunPlan plan_;
  ChildProcess relay_;
  std::vector<ChildProcess> vms_;
  std::vector<std::optional<SshSession>> sessions_;
  std::vector<bool> killed_;
  // Where each serial console ended when its node was killed: a new boot's "ready" line
  // counts only past it.
  std::vector<std::uintmax_t> console_offset_;
  std::vector<std::chrono::steady_clock::time_point> killed_at_;
  std::vector<std::chrono::steady_clock::time_point> next_login_;  // firmware images
  std::size_t boots_allowed_ = 0;  // nodes booting at once (boot_admission)
  std::size_t next_to_spawn_ = 0;  // nodes [0, next_to_spawn_) have been started
};

}  // namespace vmesh::launcher
