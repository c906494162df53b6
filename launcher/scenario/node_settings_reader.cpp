// [[node]]: the keys of a node's VM (the medium reads the others).
#include "launcher/scenario/scenario_readers.hpp"

namespace vmesh::launcher {

void read_node_settings(const medium::TomlReader& reader, const toml::node& nodes,
                        const std::filesystem::path& base_dir, Scenario& scenario) {
  for (const toml::node& element : reader.require_array_of_tables(nodes, "node")) {
    const toml::table& table = *element.as_table();
    NodeSettings node;
    if (auto* n = table.get("memory_mb"))
      node.memory_mb = static_cast<std::uint32_t>(reader.get_int(*n, "memory_mb", 64, 65536));
    if (auto* n = table.get("radios"))
      node.radios = static_cast<std::uint32_t>(reader.get_int(*n, "radios", 1, 16));
    if (auto* n = table.get("profile")) node.profile = reader.get_string(*n, "profile");
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
    scenario.nodes.push_back(std::move(node));
  }
}

}  // namespace vmesh::launcher
