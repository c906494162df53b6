// The settings of one node's VM, from its [[node]] table; each kept as given.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medium/topology.hpp"

namespace vmesh::launcher {

// What the guest brings up on its radio (launcher/image/guest/profiles/).
enum class Profile : std::uint8_t { mesh, sae_mesh, mesh_local, ap, sta, ibss, none };

// An access point's security, and a station's way of joining it.
enum class WifiSecurity : std::uint8_t { open, wpa2, wpa3, wpa2_wpa3 };

struct NodeSettings {
  std::optional<std::uint32_t> memory_mb;
  std::optional<std::uint32_t> radios;
  std::optional<Profile> profile;
  // A disk (or an image recipe, *.toml) for this node alone; relative paths are taken from
  // the topology file's folder.
  std::optional<std::filesystem::path> image;
  std::vector<std::string> provision;  // shell commands run once the node is up
  // Profiles ap and sta: the network. A station takes what it leaves out from its AP.
  std::optional<std::string> ssid;
  std::optional<std::string> psk;
  std::optional<WifiSecurity> security;
  std::optional<medium::NodeId> ap;  // sta: the access point it joins
  // A mesh node whose uplink (a second user-mode NIC) is the mesh's way out.
  bool gateway = false;
};

// "sae-mesh" -> Profile::sae_mesh; nullopt for an unknown name.
std::optional<Profile> parse_profile(std::string_view name);
const char* profile_name(Profile profile);
// The names parse_profile knows, for error messages: "mesh, sae-mesh, ...".
std::string profile_names();
// 802.11s + batman-adv profiles (the mesh wait and gateways apply to them).
bool is_mesh_profile(Profile profile);

std::optional<WifiSecurity> parse_security(std::string_view name);
const char* security_name(WifiSecurity security);

// The guest's defaults (configs/guest/profiles/ap.env), passed explicitly to every node.
inline constexpr const char* kDefaultSsid = "vmesh-ap";
inline constexpr const char* kDefaultPsk = "vmesh-passphrase";

}  // namespace vmesh::launcher
