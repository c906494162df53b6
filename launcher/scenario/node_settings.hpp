// The settings of one node's VM, from its [[node]] table; each kept as given.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vmesh::launcher {

struct NodeSettings {
  std::optional<std::uint32_t> memory_mb;
  std::optional<std::uint32_t> radios;
  std::optional<std::string> profile;
  // A disk (or an image recipe, *.toml) for this node alone; relative paths are taken from
  // the topology file's folder.
  std::optional<std::filesystem::path> image;
  std::vector<std::string> provision;  // shell commands run once the node is up
};

}  // namespace vmesh::launcher
