// The pure run planner: topology + settings in, one NodePlan per VM out (name, index, SSH
// port, MAC prefix, mesh IP, QEMU argv, kernel command line). No processes, no files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <map>
#include <optional>

#include "launcher/scenario/image_spec.hpp"
#include "launcher/scenario/relay_transport.hpp"
#include "launcher/scenario/scenario.hpp"
#include "medium/topology.hpp"

namespace vmesh::launcher {

enum class Accel : std::uint8_t { tcg, kvm };

// QEMU's CPU model under TCG. ERMS is masked because TCG runs `rep movsb`/`rep stosb` one
// byte per loop iteration: with ERMS the guest kernel uses them for memcpy, copy_to_user
// and clear_page, and every frame is copied several times on its way through the agent.
// Without ERMS it uses `rep movsq` (8 bytes per iteration). Measured in the guest: a
// 196 MB pipe copy takes 1.0-1.4 s instead of 3.9-9.1 s.
// FSRM (fast short `rep movsb`) is masked too: QEMU >= 10 offers it in `max` (the vhost-user
// transport's QEMU, or a newer host's), and the guest's 6.1 kernel then stalls early in
// boot under TCG (docs/qemu-vhost-user.md); Debian 12's QEMU 7.2 accepts the flag.
inline constexpr const char* kTcgCpuModel = "max,-erms,-fsrm";
// One vCPU thread per guest CPU under TCG (the -accel value).
inline constexpr const char* kTcgAccel = "tcg,thread=multi";

// The kernel command line every node shares (its index follows). init_on_alloc=0: the
// Debian kernel zeroes every heap allocation by default, and every frame costs several
// (the netlink message to the agent, the frame copy hwsim makes on RX, skb heads) — under
// TCG each zeroing is an emulated `rep stosq`. no_timer_check: with many guests booting on
// few host CPUs a starved vCPU misses the kernel's boot-time IO-APIC timer test ("..MP-BIOS
// bug: 8254 timer not connected to IO-APIC", then "Kernel panic - not syncing: IO-APIC +
// timer doesn't work!"); QEMU's timer is wired correctly, so the test is skipped.
inline constexpr const char* kGuestCmdline =
    "console=ttyS0 quiet random.trust_cpu=on init_on_alloc=0 no_timer_check panic=-1";
// Added under TCG only. The guest kernel's speculative-execution mitigations (retpolines,
// barriers) guard against the CPU speculating the guest's own instructions; under TCG no
// guest instruction runs on the CPU, so they protect nothing there and every indirect call
// pays for them. Measured on a vhost-user pair: ping p50 3.14-3.31 ms with
// mitigations=off against 3.60-3.71 ms without (bench/mesh/qemu_variants.sh, alternating).
inline constexpr const char* kTcgGuestCmdline = "mitigations=off";
// Added under TCG on the vhost-user transport when the run is small for the host: keeps the
// guest's scheduler tick running while it idles. Measured on a vhost-user pair, 4
// alternating rounds of bench/mesh/qemu_variants.sh: ping p50 2.42-2.92 ms with it against
// 2.78-3.13 ms without (presumably because a tickless guest reprograms its timer, which
// QEMU emulates, each time it idles and wakes). The price: an idle guest costs 4.4 % of a
// host CPU instead of 2.3 %, so a run takes it only with at most kTickedNodesPerHostCpu
// nodes per usable host CPU (2 CPUs: up to 8 nodes, an idle run then costs at most ~16 % of
// the host more). The serial and tcp transports are dominated by the agent's path and keep
// the tickless default.
inline constexpr const char* kLowLatencyTcgGuestCmdline = "nohz=off";
inline constexpr std::size_t kTickedNodesPerHostCpu = 4;

// The virtio-serial controller of the relay port. ioeventfd=off: the guest's kick is
// handled in its vCPU thread, which writes the frames to the relay at once, instead of
// signalling an eventfd for QEMU's main loop. max_ports=2 (port 0 is reserved for a
// console, the relay port is 1) with vectors=7 (config + one per queue: 2 ports and the
// control channel, in and out) gives every queue its own MSI-X vector; the default 31
// ports share one vector, and each interrupt makes the guest scan all 64 queues.
inline constexpr const char* kRelaySerialController =
    "virtio-serial-pci,ioeventfd=off,max_ports=2,vectors=7";

// Where a gateway's uplink answers a mesh node's probe (the uplink check): a TCP
// connection there reaches a program on the host, which answers "vmesh-uplink INDEX".
inline constexpr const char* kUplinkProbeAddress = "10.100.0.100";
inline constexpr int kUplinkProbePort = 7;

struct PlanInputs {
  std::size_t node_count = 0;               // the first node_count nodes of the topology
  std::vector<std::uint16_t> ssh_ports;     // one per node, host side (127.0.0.1)
  std::uint16_t relay_tcp_port = 0;         // the relay's TCP port on the host
  std::uint16_t relay_txstatus_port = 0;    // its TX-status port: guests use it with
                                            // [medium] acks = "medium"
  std::filesystem::path run_dir;            // logs and per-node cpios go here
  std::filesystem::path image_dir;          // holds vmlinux and initramfs.img
  std::filesystem::path ssh_public_key;     // authorized_keys, put into every node's cpio
  bool ssh_blank_password = true;           // false: root logs in only with a key
  std::filesystem::path image_scripts_dir;  // launcher/image
  Accel accel = Accel::tcg;
  std::size_t host_cpus = 1;  // usable host CPUs (usable_cpus()); sizes kTickedNodesPerHostCpu
  RelayTransport relay_transport = RelayTransport::serial;
  // vmesh guests run this QEMU (the vhost-user transport may need a newer one than the
  // host's); firmware images always run the host's qemu-system-x86_64.
  std::string guest_qemu = "qemu-system-x86_64";
  // The host's QEMU takes `reconnect-ms=` on socket chardevs (>= 9.2), not `reconnect=`.
  bool host_qemu_reconnect_ms = false;
  // vhost-user: the relay's socket directory, one DIR/<node name>.sock per node.
  std::filesystem::path vhost_user_dir;
  // One per node (resolve_node_images) or empty: nullopt boots vmesh's guest, a spec boots
  // that firmware with its own client (over TCP, whatever relay_transport says).
  std::vector<std::optional<ImageSpec>> node_images;
};

// A node that boots a firmware image: how vmesh reaches and prepares it. Nothing of vmesh's
// is put into such a guest (no kernel command line, no fw_cfg, no key).
struct ImageNodePlan {
  std::string image_name;
  std::string login_user;
  std::optional<std::string> login_password;
  std::filesystem::path login_key;                  // empty: password login
  std::string ssh_guest;                            // "10.13.0.1:22", where hostfwd points
  std::vector<std::string> setup;                   // placeholders filled
  std::optional<std::string> ready;                 // placeholders filled
  std::map<std::string, std::string> placeholders;  // the values used
};

struct NodePlan {
  std::string name;
  std::uint32_t index = 0;  // 1-based, the guest's vmesh.index
  medium::NodeId node_id = 0;
  std::uint16_t ssh_port = 0;
  std::string mac_prefix;  // "02:00:00:00:01"
  std::string mesh_ip;     // "10.13.0.1" (br-lan of the mesh profile)
  std::uint32_t memory_mb = 256;
  std::filesystem::path log_path;       // serial console
  std::filesystem::path qemu_log_path;  // QEMU's own stdout/stderr
  std::filesystem::path cpio_path;      // per-node settings + SSH key
  std::vector<std::string> cpio_argv;   // make-node-cpio.sh invocation
  std::string kernel_cmdline;           // empty for a firmware image
  std::vector<std::string> qemu_argv;
  std::optional<ImageNodePlan> image;  // set when the node boots a firmware image
};

struct RunPlan {
  std::vector<NodePlan> nodes;
};

// Plans every node. Throws std::invalid_argument when node_count is 0 or larger than the
// topology, when ssh_ports has the wrong size, when the index would not fit 10.13.0.x, or
// when a vmesh guest is on the vhost-user transport without vhost_user_dir.
RunPlan plan_run(const Scenario& scenario, const PlanInputs& inputs);

// The socket chardev option that opens a lost connection to the relay again within a
// second, as the host's QEMU spells it: "reconnect-ms=1000" or "reconnect=1".
std::string chardev_reconnect(const PlanInputs& inputs);

// "02:00:00:00:01" for a prefix.
std::string format_mac_prefix(const medium::MacPrefix& prefix);

// Names of the nodes (ids < node_count) that `node` should have as mesh neighbours: the
// pairs that hear each other in both directions by the topology's links and default reach.
std::vector<medium::NodeId> expected_neighbors(const medium::Topology& topology,
                                               std::size_t node_count, medium::NodeId node);

}  // namespace vmesh::launcher
