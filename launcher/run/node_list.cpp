#include "launcher/run/node_list.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vmesh::launcher {

nlohmann::json node_to_json(const NodeRecord& node) {
  nlohmann::json macs = nlohmann::json::array();
  for (std::uint32_t radio = 0; radio < node.radios; ++radio) {
    macs.push_back(fmt::format("{}:{:02x}", node.mac_prefix, radio));
  }
  nlohmann::json json = {{"host", node.host},
                         {"port", node.ssh_port},
                         {"place_id", fmt::format("virtual-mesh-{}", node.index)},
                         {"user", node.user},
                         {"name", node.name},
                         {"index", node.index},
                         {"mesh_ip", node.mesh_ip},
                         {"mac_prefix", node.mac_prefix},
                         {"macs", macs},
                         {"log", node.log_path.string()},
                         {"pid", node.pid},
                         {"pid_start_ticks", node.pid_start_ticks}};
  if (!node.ssh_key.empty()) json["ssh_key"] = node.ssh_key.string();
  if (node.password) json["password"] = *node.password;
  if (!node.image.empty()) json["image"] = node.image;
  if (!node.ssh_guest.empty()) json["ssh_guest"] = node.ssh_guest;
  return json;
}

NodeRecord node_from_json(const nlohmann::json& json) {
  NodeRecord node;
  node.host = json.at("host").get<std::string>();
  node.ssh_port = json.at("port").get<std::uint16_t>();
  node.name = json.at("name").get<std::string>();
  node.index = json.at("index").get<std::uint32_t>();
  node.mesh_ip = json.at("mesh_ip").get<std::string>();
  node.mac_prefix = json.at("mac_prefix").get<std::string>();
  node.radios = static_cast<std::uint32_t>(json.at("macs").size());
  node.log_path = json.at("log").get<std::string>();
  node.pid = json.at("pid").get<pid_t>();
  node.pid_start_ticks = json.value("pid_start_ticks", std::uint64_t{0});
  node.ssh_key = json.value("ssh_key", std::string());
  node.user = json.value("user", std::string("root"));
  if (json.contains("password")) node.password = json.at("password").get<std::string>();
  node.image = json.value("image", std::string());
  node.ssh_guest = json.value("ssh_guest", std::string());
  return node;
}

std::string node_list_json(const std::vector<NodeRecord>& nodes) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& node : nodes) list.push_back(node_to_json(node));
  return list.dump(2) + "\n";
}

void write_node_list(const std::filesystem::path& path, const std::vector<NodeRecord>& nodes) {
  write_file_atomic(path, node_list_json(nodes));
}

}  // namespace vmesh::launcher
