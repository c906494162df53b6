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

// The value a name stands for in one of the tables above.
template <typename Value, std::size_t N>
std::optional<Value> value_named(const std::array<std::pair<Value, const char*>, N>& table,
                                 std::string_view name) {
  for (const auto& [value, text] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Value, std::size_t N>
const char* name_of(const std::array<std::pair<Value, const char*>, N>& table, Value value) {
  for (const auto& [known, text] : table) {
    if (known == value) return text;
  }
  return "?";
}

}  // namespace

std::optional<Profile> parse_profile(std::string_view name) {
  return value_named(kProfiles, name);
}

const char* profile_name(Profile profile) {
  return name_of(kProfiles, profile);
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
  return value_named(kSecurities, name);
}

const char* security_name(WifiSecurity security) {
  return name_of(kSecurities, security);
}

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
