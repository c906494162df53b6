// The settings of one node's VM, from its [[node]] table; each kept as given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmesh::launcher {

struct NodeSettings {
  std::optional<std::uint32_t> memory_mb;
  std::optional<std::uint32_t> radios;
  std::optional<std::string> profile;
  std::optional<std::string> image;
  std::vector<std::string> provision;  // shell commands run once the node is up
};

}  // namespace vmesh::launcher
