// Readiness of nodes whose profile is not a batman-adv mesh: an access point beaconing, a
// station associated with an address, an IBSS cell joined with its peers. Each probe is one
// shell command; its output is judged here (pure, so it is tested without VMs).
#pragma once

#include <cstddef>
#include <string>

namespace vmesh::launcher {

struct ReadyVerdict {
  bool ready = false;
  std::string seen;  // what the probe showed, for progress and timeout messages
};

// hostapd's status: ready once state=ENABLED (beacons are being sent).
std::string ap_ready_command();
ReadyVerdict judge_ap(const std::string& output);

// wpa_supplicant's status: ready once COMPLETED with `bssid` (lower case) and `address`.
std::string sta_ready_command();
ReadyVerdict judge_sta(const std::string& output, const std::string& bssid,
                       const std::string& address);
// One KEY of `wpa_cli status` output ("" when absent).
std::string status_value(const std::string& output, const std::string& key);

// The IBSS state of every wireless interface: ready once joined and `peers` stations seen.
std::string ibss_ready_command();
ReadyVerdict judge_ibss(const std::string& output, std::size_t peers);

}  // namespace vmesh::launcher
