// The node list handed to tests: JSON compatible with the existing pytest fixtures
// ([{"host":"127.0.0.1","port":2222,"place_id":"virtual-mesh-1", ...}]), SSH as root.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "launcher/process/text_file.hpp"

namespace vmesh::launcher {

struct NodeRecord {
  std::string name;
  std::uint32_t index = 0;  // 1-based
  std::string host = "127.0.0.1";
  std::uint16_t ssh_port = 0;
  std::string mesh_ip;
  std::string mac_prefix;
  std::uint32_t radios = 1;
  std::filesystem::path log_path;
  std::filesystem::path ssh_key;        // the private key root logs in with (empty: none)
  std::string user = "root";            // a firmware image's login user
  std::optional<std::string> password;  // a firmware image's password login ("" = empty)
  std::string image;                    // the firmware image's name; empty: vmesh's guest
  std::string ssh_guest;                // where SSH is forwarded to in a firmware image
  pid_t pid = -1;                       // QEMU
  std::uint64_t pid_start_ticks = 0;    // /proc/PID/stat starttime, guards against PID reuse
};

// One node as its node-list JSON object (host, port, place_id, user, name, index, mesh_ip,
// mac_prefix, macs, log, pid; ssh_key when recorded; password, image and ssh_guest for a
// node that boots a firmware image).
nlohmann::json node_to_json(const NodeRecord& node);
// The inverse; throws nlohmann::json::exception on missing fields.
NodeRecord node_from_json(const nlohmann::json& json);

// The whole list, pretty-printed.
std::string node_list_json(const std::vector<NodeRecord>& nodes);

// Writes node_list_json to `path` (via a temporary file and rename). Throws
// std::runtime_error naming the path.
void write_node_list(const std::filesystem::path& path, const std::vector<NodeRecord>& nodes);

}  // namespace vmesh::launcher
