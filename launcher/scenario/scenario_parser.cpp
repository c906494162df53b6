#include "launcher/scenario/scenario_parser.hpp"

#include <string>

#include "launcher/scenario/image_recipe.hpp"
#include "launcher/scenario/scenario_readers.hpp"
#include "medium/topology_parser.hpp"

namespace vmesh::launcher {

Scenario parse_scenario(std::string_view toml_text, std::string_view source_name) {
  Scenario scenario;
  scenario.topology = medium::parse_topology(toml_text, source_name, medium::scenario_keys());
  // The medium parser accepted the text, so it parses, has [[node]]s and names only known
  // top-level keys, [medium] keys, node keys and actions.
  const medium::TomlReader reader{std::string(source_name)};
  const toml::table root = reader.parse(toml_text);
  // Paths in the file are relative to its folder.
  const std::filesystem::path base_dir = std::filesystem::path(source_name).parent_path();
  if (auto* n = root.get("medium")) read_medium_settings(reader, *n, scenario);
  read_node_settings(reader, *root.get("node"), base_dir, scenario);
  if (auto* n = root.get("image")) scenario.image = read_image_table(reader, *n, base_dir);
  if (auto* n = root.get("event")) read_run_actions(reader, *n, scenario);
  if (auto* n = root.get("check")) read_checks(reader, *n, scenario);
  return scenario;
}

Scenario load_scenario_file(const std::filesystem::path& path) {
  return parse_scenario(medium::read_topology_text(path), path.string());
}

}  // namespace vmesh::launcher
