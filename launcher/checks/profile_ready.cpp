#include "launcher/checks/profile_ready.hpp"

#include <sstream>

#include <fmt/format.h>

namespace vmesh::launcher {
namespace {

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  std::string line = text.substr(0, end);
  return line.empty() ? "no output" : line;
}

}  // namespace

std::string status_value(const std::string& output, const std::string& key) {
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
        line[key.size()] == '=') {
      return line.substr(key.size() + 1);
    }
  }
  return "";
}

std::string ap_ready_command() {
  return "hostapd_cli -p /run/hostapd status 2>&1";
}

ReadyVerdict judge_ap(const std::string& output) {
  const std::string state = status_value(output, "state");
  if (state.empty()) return {false, "hostapd: " + first_line(output)};
  return {state == "ENABLED", "hostapd state=" + state};
}

std::string sta_ready_command() {
  return "wpa_cli -p /run/wpa_supplicant status 2>&1";
}

ReadyVerdict judge_sta(const std::string& output, const std::string& bssid,
                       const std::string& address) {
  const std::string state = status_value(output, "wpa_state");
  if (state.empty()) return {false, "wpa_supplicant: " + first_line(output)};
  const std::string seen_bssid = status_value(output, "bssid");
  const std::string seen_address = status_value(output, "ip_address");
  std::string seen = "wpa_state=" + state;
  if (!seen_bssid.empty()) seen += " bssid=" + seen_bssid;
  if (const std::string key_mgmt = status_value(output, "key_mgmt"); !key_mgmt.empty())
    seen += " key_mgmt=" + key_mgmt;
  seen += " address=" + (seen_address.empty() ? std::string("none") : seen_address);
  return {state == "COMPLETED" && seen_bssid == bssid && seen_address == address, seen};
}

std::string ibss_ready_command() {
  return "for d in /sys/class/net/*/phy80211; do i=${d%/phy80211}; i=${i##*/}; "
         "iw dev $i link; iw dev $i station dump; done 2>&1";
}

ReadyVerdict judge_ibss(const std::string& output, std::size_t peers) {
  std::istringstream in(output);
  std::string line;
  bool joined = false;
  std::size_t stations = 0;
  while (std::getline(in, line)) {
    if (line.find("Joined IBSS") != std::string::npos) joined = true;
    if (line.rfind("Station ", 0) == 0) ++stations;
  }
  return {joined && stations >= peers,
          fmt::format("{}, {} of {} peers", joined ? "cell joined" : "no cell joined", stations,
                      peers)};
}

}  // namespace vmesh::launcher
