#include "launcher/plan/run_plan.hpp"

#include "launcher/plan/host_limits.hpp"
#include "launcher/plan/image_node_plan.hpp"
#include "launcher/scenario/node_profile.hpp"

#include <iterator>
#include <stdexcept>

#include <fmt/format.h>

namespace vmesh::launcher {
namespace {

bool hears(const medium::Topology& topology, medium::NodeId from, medium::NodeId to) {
  if (auto params = medium::listed_link_params(topology, from, to)) {
    return params->loss_prob < 1.0;
  }
  return topology.medium.default_reach == medium::DefaultReach::all;
}

// The relay port a guest's agent reaches: the TX-status port when the medium decides
// ACKs (the agent accepts the relay's offer there), vwifi's client port otherwise.
std::uint16_t guest_relay_port(const medium::Topology& topology, const PlanInputs& inputs) {
  if (topology.medium.acks == medium::AckMode::medium) {
    if (inputs.relay_txstatus_port == 0) {
      throw std::invalid_argument(
          "[medium] acks = \"medium\" needs the relay's TX-status port (rebuild vmesh-relay)");
    }
    return inputs.relay_txstatus_port;
  }
  return inputs.relay_tcp_port;
}

// The guest's vmesh.relay setting (read by the guest init; vhost-user starts no agent).
std::string relay_setting(const PlanInputs& inputs, std::uint16_t port) {
  switch (inputs.relay_transport) {
    case RelayTransport::serial:
      return "serial";
    case RelayTransport::vhost_user:
      return "vhost-user";
    case RelayTransport::tcp:
      break;
  }
  return fmt::format("10.0.2.2:{}", port);
}

// The machine: vhost-user's back end (the relay) reads and writes the guest's virtqueues in
// its memory, so that memory must be a shared memfd it can map; q35 takes it as its RAM.
std::vector<std::string> machine_args(const PlanInputs& inputs, std::uint32_t memory_mb) {
  if (inputs.relay_transport != RelayTransport::vhost_user) return {"-machine", "pc"};
  return {"-machine", "q35,memory-backend=mem", "-object",
          fmt::format("memory-backend-memfd,id=mem,size={}M,share=on", memory_mb)};
}

// hwsim's virtio device (id 29: one TX and one RX queue) with the relay as its back end, at
// the node's own socket: the socket, not an address, tells the relay which node this is.
// No reconnect-ms: with it QEMU 11.1 connects in the background, and the device's realize
// (vhost-user-base, which does not wait for its chardev) fails at start with "Failed to set
// msg fds". QEMU as the server does not help: the device aborts when a back end connects a
// second time. So a relay restart would leave this device cut off until the VM restarts.
// vq_size=256 (QEMU's default is 64): hwsim drops a frame when its TX queue is full, and it
// only reclaims TX buffers at an interrupt, which a TCG guest takes late; with 64 a TCP
// stream lost ~0.6 % of its frames (227 retransmissions in 6 s, 69 Mbit/s), with 256 none
// (109 Mbit/s), same pair, same host.
void add_vhost_user_device(NodePlan& node, const PlanInputs& inputs) {
  if (inputs.vhost_user_dir.empty())
    throw std::invalid_argument("the vhost-user transport needs the relay's socket directory");
  node.qemu_argv.insert(
      node.qemu_argv.end(),
      {"-chardev",
       fmt::format("socket,id=vhost,path={}",
                   (inputs.vhost_user_dir / (node.name + ".sock")).string()),
       "-device", "vhost-user-test-device-pci,chardev=vhost,virtio-id=29,num_vqs=2,vq_size=256"});
}

// The guest settings of a node's profile beyond its name (make-node-cpio.sh --set).
std::vector<std::string> profile_settings(const Scenario& scenario, medium::NodeId node,
                                          std::size_t node_count) {
  std::vector<std::string> out;
  const Profile profile = profile_of(scenario, node);
  if (profile == Profile::ap || profile == Profile::sta) {
    const WifiNetwork network = wifi_network(scenario, node);
    out.push_back(fmt::format("VMESH_AP_ROLE={}", profile == Profile::ap ? "ap" : "sta"));
    out.push_back("VMESH_AP_SSID=" + network.ssid);
    out.push_back("VMESH_AP_PSK=" + network.psk);
    out.push_back(fmt::format("VMESH_AP_SECURITY={}", security_name(network.security)));
  }
  if (is_mesh_profile(profile) && has_gateway(scenario, node_count)) {
    out.push_back(
        fmt::format("VMESH_GATEWAY={}", scenario.nodes[node].gateway ? "server" : "client"));
  }
  return out;
}

std::string guest_kernel_cmdline(const PlanInputs& inputs, std::uint32_t index) {
  std::string cmdline = kGuestCmdline;
  if (inputs.accel == Accel::tcg) {
    fmt::format_to(std::back_inserter(cmdline), " {}", kTcgGuestCmdline);
    const bool ticked = inputs.relay_transport == RelayTransport::vhost_user &&
                        inputs.node_count <= kTickedNodesPerHostCpu * inputs.host_cpus;
    if (ticked) fmt::format_to(std::back_inserter(cmdline), " {}", kLowLatencyTcgGuestCmdline);
  }
  fmt::format_to(std::back_inserter(cmdline), " vmesh.index={}", index);
  return cmdline;
}

// A gateway's uplink: its own user-mode network (the guest's eth1, 10.100.0.15, NATs the
// mesh's traffic). A connection to kUplinkProbeAddress there is answered by the host with
// the gateway's index, so a check can tell which gateway carried it.
void add_uplink_nic(NodePlan& node) {
  node.qemu_argv.insert(
      node.qemu_argv.end(),
      {"-netdev",
       fmt::format("user,id=uplink,net=10.100.0.0/24,host=10.100.0.2,guestfwd=tcp:{}:{}-cmd:echo "
                   "vmesh-uplink {}",
                   kUplinkProbeAddress, kUplinkProbePort, node.index),
       "-device",
       fmt::format("virtio-net-pci,netdev=uplink,romfile=,mac=52:54:00:00:02:{:02x}", node.index)});
}

}  // namespace

std::string chardev_reconnect(const PlanInputs& inputs) {
  return inputs.host_qemu_reconnect_ms ? "reconnect-ms=1000" : "reconnect=1";
}

std::string format_mac_prefix(const medium::MacPrefix& prefix) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", prefix[0], prefix[1], prefix[2],
                     prefix[3], prefix[4]);
}

std::vector<medium::NodeId> expected_neighbors(const medium::Topology& topology,
                                               std::size_t node_count, medium::NodeId node) {
  std::vector<medium::NodeId> out;
  for (std::size_t other = 0; other < node_count && other < topology.nodes.size(); ++other) {
    const auto id = static_cast<medium::NodeId>(other);
    if (id == node) continue;
    if (hears(topology, node, id) && hears(topology, id, node)) out.push_back(id);
  }
  return out;
}

RunPlan plan_run(const Scenario& scenario, const PlanInputs& inputs) {
  const medium::Topology& topology = scenario.topology;
  if (inputs.node_count == 0) throw std::invalid_argument("a run needs at least one node");
  if (inputs.node_count > topology.nodes.size()) {
    throw std::invalid_argument(fmt::format("{} nodes asked for, but {} defines only {}",
                                            inputs.node_count, topology.source_name,
                                            topology.nodes.size()));
  }
  if (inputs.node_count > 254) throw std::invalid_argument("at most 254 nodes fit 10.13.0.x");
  if (inputs.ssh_ports.size() != inputs.node_count) {
    throw std::invalid_argument("one SSH port per node is needed");
  }
  RunPlan plan;
  const std::uint16_t relay_port = guest_relay_port(topology, inputs);
  for (std::size_t i = 0; i < inputs.node_count; ++i) {
    const medium::NodeSpec& spec = topology.nodes[i];
    const NodeSettings& settings = scenario.nodes[i];
    NodePlan node;
    node.name = spec.name;
    node.node_id = static_cast<medium::NodeId>(i);
    node.index = static_cast<std::uint32_t>(i + 1);
    node.ssh_port = inputs.ssh_ports[i];
    node.mac_prefix = format_mac_prefix(spec.mac_prefix);
    node.mesh_ip = fmt::format("10.13.0.{}", node.index);
    node.memory_mb = settings.memory_mb.value_or(kDefaultGuestMemoryMb);
    node.log_path = inputs.run_dir / (node.name + ".log");
    node.qemu_log_path = inputs.run_dir / (node.name + ".qemu.log");
    node.cpio_path = inputs.run_dir / (node.name + ".cpio");
    const auto channel = spec.channel ? spec.channel : topology.medium.channel;
    if (i < inputs.node_images.size() && inputs.node_images[i]) {
      // The image's own client reaches vwifi's TCP port (or the TX-status port under
      // acks = "medium", which vmesh-agent takes).
      plan_image_node(node, *inputs.node_images[i], inputs, relay_port, channel.value_or(1));
      if (settings.memory_mb) node.memory_mb = *settings.memory_mb;
      plan.nodes.push_back(std::move(node));
      continue;
    }
    node.cpio_argv = {"bash",         (inputs.image_scripts_dir / "make-node-cpio.sh").string(),
                      "--out",        node.cpio_path.string(),
                      "--index",      std::to_string(node.index),
                      "--name",       node.name,
                      "--mac-prefix", node.mac_prefix,
                      "--relay",      relay_setting(inputs, relay_port),
                      "--ssh-key",    inputs.ssh_public_key.string()};
    if (channel) {
      node.cpio_argv.insert(node.cpio_argv.end(), {"--channel", std::to_string(*channel)});
    }
    if (!inputs.ssh_blank_password)
      node.cpio_argv.insert(node.cpio_argv.end(), {"--ssh-blank-password", "0"});
    if (settings.profile)
      node.cpio_argv.insert(node.cpio_argv.end(), {"--profile", profile_name(*settings.profile)});
    for (auto& setting : profile_settings(scenario, node.node_id, inputs.node_count))
      node.cpio_argv.insert(node.cpio_argv.end(), {"--set", std::move(setting)});
    if (settings.radios) {
      node.cpio_argv.insert(node.cpio_argv.end(), {"--radios", std::to_string(*settings.radios)});
    }
    // Settings travel in the fw_cfg cpio; the command line stays short and identical in
    // shape for every node.
    node.kernel_cmdline = guest_kernel_cmdline(inputs, node.index);
    const bool vhost_user = inputs.relay_transport == RelayTransport::vhost_user;
    node.qemu_argv = {inputs.guest_qemu, "-nodefaults", "-no-user-config",
                      "-display",        "none",        "-no-reboot"};
    const auto machine = machine_args(inputs, node.memory_mb);
    node.qemu_argv.insert(node.qemu_argv.end(), machine.begin(), machine.end());
    if (inputs.accel == Accel::kvm) {
      node.qemu_argv.insert(node.qemu_argv.end(), {"-accel", "kvm", "-cpu", "host"});
    } else {
      node.qemu_argv.insert(node.qemu_argv.end(), {"-accel", kTcgAccel, "-cpu", kTcgCpuModel});
    }
    node.qemu_argv.insert(
        node.qemu_argv.end(),
        {"-smp", "1", "-m", std::to_string(node.memory_mb), "-kernel",
         (inputs.image_dir / "vmlinux").string(), "-initrd",
         (inputs.image_dir / "initramfs.img").string(), "-append", node.kernel_cmdline, "-netdev",
         fmt::format("user,id=net0,hostfwd=tcp:127.0.0.1:{}-:22", node.ssh_port), "-device",
         "virtio-net-pci,netdev=net0,romfile=",
         // Appended, not truncated: a node booted again (node_start) keeps its first boot's
         // console above the new one.
         "-chardev", "file,id=console,append=on,path=" + node.log_path.string(), "-serial",
         "chardev:console", "-fw_cfg", "name=opt/vmesh/node.cpio,file=" + node.cpio_path.string()});
    if (inputs.relay_transport == RelayTransport::serial) {
      // nodelay: frames are small and latency-bound. Reconnecting: after a relay restart
      // QEMU connects again within a second; the agent sees the port hang up and come back.
      node.qemu_argv.insert(node.qemu_argv.end(),
                            {"-device", kRelaySerialController, "-chardev",
                             fmt::format("socket,id=relay,host=127.0.0.1,port={},{},nodelay=on",
                                         relay_port, chardev_reconnect(inputs)),
                             "-device", "virtserialport,chardev=relay,name=vmesh.relay"});
    }
    if (vhost_user) add_vhost_user_device(node, inputs);
    if (settings.gateway) add_uplink_nic(node);
    plan.nodes.push_back(std::move(node));
  }
  return plan;
}

}  // namespace vmesh::launcher
