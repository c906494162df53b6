// [[node]]: the keys of a node's VM (the medium reads the others).
#include <fmt/format.h>

#include "launcher/scenario/scenario_readers.hpp"

namespace vmesh::launcher {
namespace {

using medium::TomlReader;

Profile read_profile(const TomlReader& reader, const toml::node& n) {
  const std::string name = reader.get_string(n, "profile");
  const auto profile = parse_profile(name);
  if (!profile) {
    reader.fail(n, fmt::format("unknown profile \"{}\" (one of: {})", name, profile_names()));
  }
  return *profile;
}

// ssid, psk and security: only for profiles ap and sta, each within what 802.11 and WPA take.
void read_network(const TomlReader& reader, const toml::table& table, NodeSettings& node) {
  const Profile profile = node.profile.value_or(Profile::mesh);
  const bool wifi = profile == Profile::ap || profile == Profile::sta;
  for (const char* key : {"ssid", "psk", "security", "ap"}) {
    if (const toml::node* n = table.get(key); n != nullptr && !wifi) {
      reader.fail(*n, fmt::format("{} is a key of profile \"ap\" or \"sta\", not \"{}\"", key,
                                  profile_name(profile)));
    }
  }
  if (auto* n = table.get("ssid")) {
    node.ssid = reader.get_string(*n, "ssid");
    if (node.ssid->empty() || node.ssid->size() > 32 || node.ssid->find('\n') != std::string::npos)
      reader.fail(*n, "ssid must be 1 to 32 bytes on one line");
  }
  if (auto* n = table.get("security")) {
    const std::string name = reader.get_string(*n, "security");
    node.security = parse_security(name);
    if (!node.security)
      reader.fail(*n, fmt::format("unknown security \"{}\" (open, wpa2, wpa3, wpa2-wpa3)", name));
    if (profile == Profile::sta && node.security == WifiSecurity::wpa2_wpa3)
      reader.fail(*n, "a station joins with one of open, wpa2, wpa3 (wpa2-wpa3 is an AP's mode)");
  }
  if (auto* n = table.get("psk")) {
    node.psk = reader.get_string(*n, "psk");
    if (node.psk->size() < 8 || node.psk->size() > 63 || node.psk->find('\n') != std::string::npos)
      reader.fail(*n, "psk must be a passphrase of 8 to 63 characters on one line");
  }
}

}  // namespace

void read_node_settings(const TomlReader& reader, const toml::node& nodes,
                        const std::filesystem::path& base_dir, Scenario& scenario) {
  std::vector<const toml::node*> ap_keys;
  for (const toml::node& element : reader.require_array_of_tables(nodes, "node")) {
    const toml::table& table = *element.as_table();
    NodeSettings node;
    if (auto* n = table.get("memory_mb"))
      node.memory_mb = static_cast<std::uint32_t>(reader.get_int(*n, "memory_mb", 64, 65536));
    if (auto* n = table.get("radios"))
      node.radios = static_cast<std::uint32_t>(reader.get_int(*n, "radios", 1, 16));
    if (auto* n = table.get("profile")) node.profile = read_profile(reader, *n);
    if (auto* n = table.get("image")) {
      const std::filesystem::path image(reader.get_string(*n, "image"));
      node.image = image.is_absolute() ? image : base_dir / image;
    }
    if (auto* n = table.get("provision")) {
      const toml::array* commands = n->as_array();
      if (commands == nullptr) reader.fail(*n, "provision must be an array of command strings");
      for (const toml::node& command : *commands)
        node.provision.push_back(reader.get_string(command, "provision"));
    }
    read_network(reader, table, node);
    if (auto* n = table.get("gateway")) {
      node.gateway = reader.get_bool(*n, "gateway");
      if (node.gateway && !is_mesh_profile(node.profile.value_or(Profile::mesh)))
        reader.fail(*n, "gateway = true needs a mesh profile (mesh or sae-mesh)");
    }
    const toml::node* ap = table.get("ap");
    if (node.profile == Profile::sta && ap == nullptr)
      reader.fail(table, "profile \"sta\" needs ap = \"NODE\": the access point it joins");
    ap_keys.push_back(ap);
    scenario.nodes.push_back(std::move(node));
  }
  // An AP is named by a node that may come later in the file.
  for (std::size_t i = 0; i < ap_keys.size(); ++i) {
    if (ap_keys[i] == nullptr) continue;
    const medium::NodeId ap = reader.get_node(*ap_keys[i], "ap", scenario.topology);
    if (scenario.nodes[ap].profile != Profile::ap) {
      reader.fail(*ap_keys[i], fmt::format("ap = \"{}\" names a node whose profile is not \"ap\"",
                                           scenario.topology.nodes[ap].name));
    }
    scenario.nodes[i].ap = ap;
  }
}

}  // namespace vmesh::launcher
