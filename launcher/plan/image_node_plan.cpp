#include "launcher/plan/image_node_plan.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "launcher/scenario/image_placeholders.hpp"
#include "launcher/scenario/ipv4_net.hpp"

namespace vmesh::launcher {
namespace {

// QEMU's option syntax doubles a comma that belongs to a value.
std::string escape_commas(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

Ipv4Net net_of(const std::optional<std::string>& text, const std::string& what) {
  const auto net = text ? parse_ipv4_net(*text) : std::nullopt;
  if (!net) throw std::invalid_argument(fmt::format("{}: not an IPv4 subnet", what));
  return *net;
}

// NIC `nic` (0 = eth0) of node `index` gets 52:54:00:00:<nic+1>:<index>: distinct across
// nodes, since firmware derives addresses from it (LibreMesh: 10.13.<5th>.<6th> byte).
void add_user_nic(std::vector<std::string>& argv, std::uint32_t index, std::uint32_t nic,
                  const std::string& id, const std::string& netdev_options) {
  argv.insert(argv.end(),
              {"-netdev", fmt::format("user,id={}{}", id, netdev_options), "-device",
               fmt::format("virtio-net-pci,netdev={},mac=52:54:00:00:{:02x}:{:02x},romfile=", id,
                           nic + 1, index)});
}

}  // namespace

void plan_image_node(NodePlan& node, const ImageSpec& spec, const PlanInputs& inputs,
                     std::uint16_t relay_port, std::uint32_t channel) {
  const Ipv4Net ssh_net = net_of(spec.ssh_net, "[image.ssh] net");
  const std::uint32_t relay_nic = spec.relay_net ? spec.relay_nic.value_or(1) : 0;
  const Ipv4Net relay_net = spec.relay_net ? net_of(spec.relay_net, "[image.relay] net") : ssh_net;

  // Where the image's client is told the relay is: a forwarded address (guestfwd) or the
  // user-mode host, which QEMU maps to the host's 127.0.0.1.
  std::string relay_host = format_ipv4(relay_net.user_mode_host());
  std::string relay_guest_port = std::to_string(relay_port);
  std::string guestfwd;
  if (spec.relay_server) {
    const std::size_t colon = spec.relay_server->rfind(':');
    relay_host = spec.relay_server->substr(0, colon);
    relay_guest_port = spec.relay_server->substr(colon + 1);
    const std::uint32_t address = parse_ipv4(relay_host).value_or(0);
    if (!relay_net.contains(address) || address == relay_net.user_mode_host() ||
        address == relay_net.user_mode_host() + 1) {
      throw std::invalid_argument(fmt::format(
          "[image.relay] server {}: must be inside {}/{} and not its host (.2) or DNS (.3) "
          "address, which QEMU keeps for itself",
          *spec.relay_server, format_ipv4(relay_net.network), relay_net.prefix_len));
    }
    // One connection to the relay for the node's client, reopened within a second if the
    // relay restarts; the client's own reconnects reuse it.
    guestfwd = fmt::format(",guestfwd=tcp:{}-tcp:127.0.0.1:{},,{},,nodelay=on", *spec.relay_server,
                           relay_port, chardev_reconnect(inputs));
  }

  ImageNodePlan image;
  image.image_name = spec.name;
  image.login_user = spec.login_user.value_or("root");
  image.login_password = spec.login_password;
  image.login_key = spec.login_key.value_or(std::filesystem::path());
  image.ssh_guest = fmt::format("{}:{}", spec.ssh_guest.value_or(""), spec.ssh_port.value_or(22));
  image.placeholders = {
      {"index", std::to_string(node.index)}, {"name", node.name},
      {"mac_prefix", node.mac_prefix},       {"relay_host", relay_host},
      {"relay_port", relay_guest_port},      {"channel", std::to_string(channel)}};
  node.mesh_ip = expand_placeholders(spec.mesh_ip.value_or("10.13.0.{index}"), image.placeholders);
  image.placeholders["mesh_ip"] = node.mesh_ip;
  for (const auto& command : spec.setup)
    image.setup.push_back(expand_placeholders(command, image.placeholders));
  if (spec.ready) image.ready = expand_placeholders(*spec.ready, image.placeholders);

  node.memory_mb = spec.memory_mb.value_or(node.memory_mb);
  node.kernel_cmdline.clear();
  node.cpio_argv.clear();
  auto& argv = node.qemu_argv;
  // No -no-reboot: firmware reboots itself (first-boot configuration, sysupgrade).
  argv = {
      "qemu-system-x86_64",        "-nodefaults", "-no-user-config", "-display", "none", "-machine",
      spec.machine.value_or("q35")};
  if (inputs.accel == Accel::kvm) {
    argv.insert(argv.end(), {"-accel", "kvm", "-cpu", "host"});
  } else {
    argv.insert(argv.end(), {"-accel", kTcgAccel, "-cpu", kTcgCpuModel});
  }
  argv.insert(argv.end(), {"-smp", "1", "-m", std::to_string(node.memory_mb)});
  if (spec.disk) {
    // snapshot=on: writes go to a temporary overlay, the user's file is never changed.
    argv.insert(argv.end(), {"-drive", fmt::format("file={},if=virtio,format={},snapshot=on",
                                                   escape_commas(spec.disk->string()),
                                                   spec.format.value_or("raw"))});
  } else if (spec.kernel) {
    argv.insert(argv.end(), {"-kernel", spec.kernel->string()});
    if (spec.initrd) argv.insert(argv.end(), {"-initrd", spec.initrd->string()});
    if (spec.append) argv.insert(argv.end(), {"-append", *spec.append});
  }
  add_user_nic(argv, node.index, 0, "lan",
               fmt::format(",net={}/{},hostfwd=tcp:127.0.0.1:{}-{}{}", format_ipv4(ssh_net.network),
                           ssh_net.prefix_len, node.ssh_port, image.ssh_guest,
                           relay_nic == 0 ? guestfwd : ""));
  if (relay_nic > 0) {
    // The NICs between the first and the relay's are left without a network of their own.
    for (std::uint32_t nic = 1; nic < relay_nic; ++nic)
      add_user_nic(argv, node.index, nic, fmt::format("nic{}", nic), ",restrict=on");
    add_user_nic(argv, node.index, relay_nic, "relay",
                 fmt::format(",net={}/{}{}", format_ipv4(relay_net.network), relay_net.prefix_len,
                             guestfwd));
  }
  argv.insert(argv.end(), {"-chardev", "file,id=console,append=on,path=" + node.log_path.string(),
                           "-serial", "chardev:console"});
  node.image = std::move(image);
}

}  // namespace vmesh::launcher
