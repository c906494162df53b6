#include <array>
#include <utility>

#include "launcher/scenario/node_profile.hpp"
#include "launcher/scenario/node_settings.hpp"

namespace vmesh::launcher {
namespace {

constexpr std::array<std::pair<Profile, const char*>, 7> kProfiles{{
    {Profile::mesh, "mesh"},
    {Profile::sae_mesh, "sae-mesh"},
    {Profile::ap, "ap"},
    {Profile::sta, "sta"},
    {Profile::ibss, "ibss"},
    {Profile::none, "none"},
    {Profile::mesh_local, "mesh-local"},
}};

constexpr std::array<std::pair<WifiSecurity, const char*>, 4> kSecurities{{
    {WifiSecurity::open, "open"},
    {WifiSecurity::wpa2, "wpa2"},
    {WifiSecurity::wpa3, "wpa3"},
    {WifiSecurity::wpa2_wpa3, "wpa2-wpa3"},
}};

}  // namespace

std::optional<Profile> parse_profile(std::string_view name) {
  for (const auto& [profile, text] : kProfiles) {
    if (name == text) return profile;
  }
  return std::nullopt;
}

const char* profile_name(Profile profile) {
  for (const auto& [known, text] : kProfiles) {
    if (known == profile) return text;
  }
  return "?";
}

std::string profile_names() {
  std::string out;
  for (const auto& [profile, text] : kProfiles)
    out += (out.empty() ? "" : ", ") + std::string(text);
  return out;
}

bool is_mesh_profile(Profile profile) {
  return profile == Profile::mesh || profile == Profile::sae_mesh;
}

std::optional<WifiSecurity> parse_security(std::string_view name) {
  for (const auto& [security, text] : kSecurities) {
    if (name == text) return security;
  }
  return std::nullopt;
}

const char* security_name(WifiSecurity security) {
  for (const auto& [known, text] : kSecurities) {
    if (known == security) return text;
  }
  return "?";
}

}  // namespace vmesh::launcher

namespace vmesh::launcher {

WifiNetwork wifi_network(const Scenario& scenario, medium::NodeId node) {
  const NodeSettings& own = scenario.nodes.at(node);
  const NodeSettings* ap = own.ap ? &scenario.nodes.at(*own.ap) : nullptr;
  WifiNetwork network;
  network.ssid = own.ssid ? *own.ssid : ap && ap->ssid ? *ap->ssid : kDefaultSsid;
  network.psk = own.psk ? *own.psk : ap && ap->psk ? *ap->psk : kDefaultPsk;
  if (own.security) {
    network.security = *own.security;
  } else if (ap != nullptr && ap->security) {
    network.security =
        *ap->security == WifiSecurity::wpa2_wpa3 ? WifiSecurity::wpa2 : *ap->security;
  }
  return network;
}

bool has_gateway(const Scenario& scenario, std::size_t node_count) {
  for (std::size_t i = 0; i < node_count && i < scenario.nodes.size(); ++i) {
    if (scenario.nodes[i].gateway) return true;
  }
  return false;
}

}  // namespace vmesh::launcher
