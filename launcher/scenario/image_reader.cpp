// [image]: how to boot, reach and prepare a firmware image that is not vmesh's guest.
#include <fmt/format.h>

#include "launcher/scenario/image_placeholders.hpp"
#include "launcher/scenario/image_recipe.hpp"
#include "launcher/scenario/ipv4_net.hpp"
#include "medium/topology_parser.hpp"

namespace vmesh::launcher {
namespace {

std::filesystem::path path_from(const std::filesystem::path& base_dir, const std::string& text) {
  const std::filesystem::path path(text);
  return path.is_absolute() || base_dir.empty() ? path : base_dir / path;
}

// A string with placeholders: every {word} must be one vmesh fills.
std::string get_template(const medium::TomlReader& reader, const toml::node& node,
                         const std::string& key) {
  std::string text = reader.get_string(node, key);
  if (const auto unknown = unknown_placeholder(text)) {
    reader.fail(node, fmt::format("{}: unknown placeholder {{{}}}; known: {{index}} {{name}} "
                                  "{{mac_prefix}} {{relay_host}} {{relay_port}} {{mesh_ip}} "
                                  "{{channel}}",
                                  key, *unknown));
  }
  return text;
}

void read_login(const medium::TomlReader& reader, const toml::node& node,
                const std::filesystem::path& base_dir, ImageSpec& spec) {
  const toml::table& table = reader.require_table(node, "image.login");
  reader.check_keys(table, "[image.login]", {"user", "password", "key"});
  if (auto* n = table.get("user")) spec.login_user = reader.get_string(*n, "user");
  if (auto* n = table.get("password")) spec.login_password = reader.get_string(*n, "password");
  if (auto* n = table.get("key")) {
    if (table.contains("password")) reader.fail(*n, "login: give a password or a key, not both");
    spec.login_key = path_from(base_dir, reader.get_string(*n, "key"));
  }
}

void read_ssh(const medium::TomlReader& reader, const toml::node& node, ImageSpec& spec) {
  const toml::table& table = reader.require_table(node, "image.ssh");
  reader.check_keys(table, "[image.ssh]", {"net", "guest", "port"});
  if (auto* n = table.get("net")) {
    spec.ssh_net = reader.get_string(*n, "net");
    if (!parse_ipv4_net(*spec.ssh_net))
      reader.fail(*n, "net must be an IPv4 subnet with a prefix of 8..30, e.g. \"10.13.0.0/16\"");
  }
  if (auto* n = table.get("guest")) {
    spec.ssh_guest = reader.get_string(*n, "guest");
    if (!parse_ipv4(*spec.ssh_guest))
      reader.fail(*n, "guest must be the IPv4 address SSH is forwarded to, e.g. \"10.13.0.1\"");
  }
  if (auto* n = table.get("port"))
    spec.ssh_port = static_cast<std::uint16_t>(reader.get_int(*n, "port", 1, 65535));
  if (spec.ssh_net && spec.ssh_guest &&
      !parse_ipv4_net(*spec.ssh_net)->contains(*parse_ipv4(*spec.ssh_guest))) {
    reader.fail(table, fmt::format("guest {} is outside net {}", *spec.ssh_guest, *spec.ssh_net));
  }
}

void read_relay(const medium::TomlReader& reader, const toml::node& node, ImageSpec& spec) {
  const toml::table& table = reader.require_table(node, "image.relay");
  reader.check_keys(table, "[image.relay]", {"net", "nic", "server"});
  if (auto* n = table.get("net")) {
    spec.relay_net = reader.get_string(*n, "net");
    if (!parse_ipv4_net(*spec.relay_net))
      reader.fail(*n, "net must be an IPv4 subnet with a prefix of 8..30, e.g. \"10.99.0.0/24\"");
  }
  if (auto* n = table.get("nic"))
    spec.relay_nic = static_cast<std::uint32_t>(reader.get_int(*n, "nic", 1, 7));
  if (auto* n = table.get("server")) {
    spec.relay_server = reader.get_string(*n, "server");
    const std::size_t colon = spec.relay_server->rfind(':');
    const bool port_ok =
        colon != std::string::npos && colon + 1 < spec.relay_server->size() &&
        spec.relay_server->find_first_not_of("0123456789", colon + 1) == std::string::npos &&
        spec.relay_server->size() - colon - 1 <= 5 &&
        std::stoul(spec.relay_server->substr(colon + 1)) - 1 < 65535;
    if (!port_ok || !parse_ipv4(spec.relay_server->substr(0, colon))) {
      reader.fail(*n,
                  "server must be IPV4:PORT, the address the image's client is told (e.g. "
                  "\"10.99.0.254:8212\")");
    }
  }
}

}  // namespace

ImageSpec read_image_table(const medium::TomlReader& reader, const toml::node& image,
                           const std::filesystem::path& base_dir) {
  const toml::table& table = reader.require_table(image, "image");
  reader.check_keys(table, "[image]",
                    {"name", "disk", "format", "kernel", "initrd", "append", "memory_mb", "machine",
                     "mesh_ip", "setup", "ready", "login", "ssh", "relay"});
  ImageSpec spec;
  spec.recipe = reader.source();
  if (auto* n = table.get("name")) spec.name = reader.get_string(*n, "name");
  if (auto* n = table.get("disk")) spec.disk = path_from(base_dir, reader.get_string(*n, "disk"));
  if (auto* n = table.get("format")) {
    spec.format = reader.get_string(*n, "format");
    if (*spec.format != "raw" && *spec.format != "qcow2")
      reader.fail(
          *n, fmt::format("format \"{}\": vmesh boots \"raw\" or \"qcow2\" disks", *spec.format));
  }
  if (auto* n = table.get("kernel")) {
    if (spec.disk) reader.fail(*n, "give a disk or a kernel (with initrd and append), not both");
    spec.kernel = path_from(base_dir, reader.get_string(*n, "kernel"));
  }
  if (auto* n = table.get("initrd"))
    spec.initrd = path_from(base_dir, reader.get_string(*n, "initrd"));
  if (auto* n = table.get("append")) spec.append = reader.get_string(*n, "append");
  if (auto* n = table.get("memory_mb"))
    spec.memory_mb = static_cast<std::uint32_t>(reader.get_int(*n, "memory_mb", 64, 65536));
  if (auto* n = table.get("machine")) {
    spec.machine = reader.get_string(*n, "machine");
    if (spec.machine->empty() ||
        spec.machine->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") !=
            std::string::npos) {
      reader.fail(*n, "machine must be a QEMU machine name such as \"q35\" or \"pc\"");
    }
  }
  if (auto* n = table.get("mesh_ip")) spec.mesh_ip = get_template(reader, *n, "mesh_ip");
  if (auto* n = table.get("setup")) {
    const toml::array* commands = n->as_array();
    if (commands == nullptr) reader.fail(*n, "setup must be an array of command strings");
    for (const toml::node& command : *commands)
      spec.setup.push_back(get_template(reader, command, "setup"));
  }
  if (auto* n = table.get("ready")) spec.ready = get_template(reader, *n, "ready");
  if (auto* n = table.get("login")) read_login(reader, *n, base_dir, spec);
  if (auto* n = table.get("ssh")) read_ssh(reader, *n, spec);
  if (auto* n = table.get("relay")) read_relay(reader, *n, spec);
  return spec;
}

ImageSpec load_image_recipe(const std::filesystem::path& path) {
  const std::string text = medium::read_topology_text(path);
  const medium::TomlReader reader{path.string()};
  const toml::table root = reader.parse(text);
  reader.check_keys(root, "an image recipe", {"image"});
  const toml::node* image = root.get("image");
  if (image == nullptr) {
    throw medium::TopologyError(path.string(), 1, 1,
                                "an image recipe needs an [image] table (docs/firmware-images.md)");
  }
  return read_image_table(reader, *image, path.parent_path());
}

ImageSpec merge_image_specs(const ImageSpec& base, const ImageSpec& over) {
  ImageSpec out = base;
  const auto take = [](auto& into, const auto& from) {
    if (from) into = from;
  };
  if (!over.name.empty()) out.name = over.name;
  if (!over.recipe.empty()) out.recipe = over.recipe;
  if (over.disk || over.kernel) {
    // A disk and a kernel exclude each other: the later layer's choice wins whole.
    out.disk = over.disk;
    out.kernel = over.kernel;
    out.initrd = over.initrd;
    out.append = over.append;
  }
  take(out.format, over.format);
  take(out.initrd, over.initrd);
  take(out.append, over.append);
  take(out.memory_mb, over.memory_mb);
  take(out.machine, over.machine);
  take(out.mesh_ip, over.mesh_ip);
  if (!over.setup.empty()) out.setup = over.setup;
  take(out.ready, over.ready);
  take(out.login_user, over.login_user);
  if (over.login_password || over.login_key) {
    out.login_password = over.login_password;
    out.login_key = over.login_key;
  }
  take(out.ssh_net, over.ssh_net);
  take(out.ssh_guest, over.ssh_guest);
  take(out.ssh_port, over.ssh_port);
  take(out.relay_net, over.relay_net);
  take(out.relay_nic, over.relay_nic);
  take(out.relay_server, over.relay_server);
  return out;
}

}  // namespace vmesh::launcher
