// Profiles beyond the mesh: the topology keys of APs, stations and gateways (with their
// located errors), what the plan passes to each guest, and how readiness probes and the
// uplink answer are judged.
#include <gtest/gtest.h>

#include <string>

#include "launcher/checks/profile_ready.hpp"
#include "launcher/checks/wifi_checks.hpp"
#include "launcher/plan/run_plan.hpp"
#include "launcher/scenario/node_profile.hpp"
#include "launcher/scenario/scenario_parser.hpp"
#include "medium/topology_parser.hpp"
#include "tests/launcher/plan_test_support.hpp"

namespace vmesh::launcher {
namespace {

constexpr std::string_view kApStations = R"([medium]
default = "all"
[[node]]
name = "sta"
profile = "sta"
ap = "ap"
[[node]]
name = "ap"
profile = "ap"
ssid = "office"
security = "wpa2-wpa3"
psk = "correct horse"
[[node]]
name = "sae"
profile = "sta"
ap = "ap"
security = "wpa3"
[[check]]
associated = { sta = "sae", ap = "ap" }
)";

constexpr std::string_view kGateways = R"([medium]
default = "all"
[[node]]
name = "gw1"
gateway = true
[[node]]
name = "n2"
[[node]]
name = "cell"
profile = "ibss"
[[check]]
uplink = { from = "n2", via = "gw1" }
)";

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "t.toml");
  } catch (const medium::TopologyError& error) {
    return error.what();
  }
  return "no error";
}

using test::has_pair;
using test::inputs;

TEST(Profiles, StationsTakeTheirApsNetworkUnlessTheyGiveTheirOwn) {
  const auto scenario = parse_scenario(kApStations, "t.toml");
  EXPECT_EQ(scenario.nodes[0].profile, Profile::sta);
  EXPECT_EQ(scenario.nodes[0].ap, medium::NodeId{1});  // named before it is defined
  const auto sta = wifi_network(scenario, 0);
  EXPECT_EQ(sta.ssid, "office");
  EXPECT_EQ(sta.psk, "correct horse");
  EXPECT_EQ(sta.security, WifiSecurity::wpa2);  // a transition-mode AP is joined with WPA2
  EXPECT_EQ(wifi_network(scenario, 2).security, WifiSecurity::wpa3);
  EXPECT_EQ(wifi_network(scenario, 1).security, WifiSecurity::wpa2_wpa3);
  EXPECT_EQ(scenario.checks[0].kind, CheckKind::associated);
  EXPECT_EQ(scenario.checks[0].from, medium::NodeId{2});
  EXPECT_EQ(scenario.checks[0].to, medium::NodeId{1});
}

TEST(Profiles, BadKeysAreNamedWithTheirPlace) {
  const std::string two = "[[node]]\nname = \"a\"\n";
  EXPECT_NE(
      error_of(two + "profile = \"adhoc\"\n")
          .find("t.toml:3:11: unknown profile \"adhoc\" (one of: mesh, sae-mesh, ap, sta, ibss"),
      std::string::npos)
      << error_of(two + "profile = \"adhoc\"\n");
  EXPECT_NE(error_of(two + "ssid = \"x\"\n")
                .find("ssid is a key of profile \"ap\" or \"sta\", not \"mesh\""),
            std::string::npos);
  EXPECT_NE(error_of(two + "profile = \"sta\"\n").find("profile \"sta\" needs ap = \"NODE\""),
            std::string::npos);
  EXPECT_NE(error_of(two + "profile = \"sta\"\nap = \"a\"\n")
                .find("names a node whose profile is not \"ap\""),
            std::string::npos);
  EXPECT_NE(error_of(two + "profile = \"ap\"\npsk = \"short\"\n")
                .find("psk must be a passphrase of 8 to 63"),
            std::string::npos);
  EXPECT_NE(
      error_of(two + "profile = \"ap\"\nsecurity = \"wep\"\n").find("unknown security \"wep\""),
      std::string::npos);
  EXPECT_NE(error_of(two + "profile = \"ap\"\nssid = \"" + std::string(33, 'x') + "\"\n")
                .find("ssid must be 1 to 32 bytes"),
            std::string::npos);
  EXPECT_NE(error_of(two + "profile = \"ibss\"\ngateway = true\n")
                .find("gateway = true needs a mesh profile"),
            std::string::npos);
  EXPECT_NE(error_of(two + "[[check]]\nuplink = { from = \"a\" }\n").find("uplink needs a gateway"),
            std::string::npos);
}

TEST(Profiles, ThePlanPassesEachGuestItsRoleNetworkAndGatewayMode) {
  const auto aps = parse_scenario(kApStations, "t.toml");
  const auto plan = plan_run(aps, inputs(3));
  const auto& sae = plan.nodes[2].cpio_argv;
  EXPECT_TRUE(has_pair(sae, "--profile", "sta"));
  EXPECT_TRUE(has_pair(sae, "--set", "VMESH_AP_ROLE=sta"));
  EXPECT_TRUE(has_pair(sae, "--set", "VMESH_AP_SSID=office"));
  EXPECT_TRUE(has_pair(sae, "--set", "VMESH_AP_PSK=correct horse"));
  EXPECT_TRUE(has_pair(sae, "--set", "VMESH_AP_SECURITY=wpa3"));
  EXPECT_TRUE(has_pair(plan.nodes[1].cpio_argv, "--set", "VMESH_AP_ROLE=ap"));
  EXPECT_TRUE(has_pair(plan.nodes[1].cpio_argv, "--set", "VMESH_AP_SECURITY=wpa2-wpa3"));

  const auto gateways = parse_scenario(kGateways, "t.toml");
  const auto gw_plan = plan_run(gateways, inputs(3));
  EXPECT_TRUE(has_pair(gw_plan.nodes[0].cpio_argv, "--set", "VMESH_GATEWAY=server"));
  EXPECT_TRUE(has_pair(gw_plan.nodes[1].cpio_argv, "--set", "VMESH_GATEWAY=client"));
  for (const auto& arg : gw_plan.nodes[2].cpio_argv)
    EXPECT_EQ(arg.find("VMESH_GATEWAY"), std::string::npos);
  // Only the gateway has the uplink NIC, whose probe address answers with its index.
  EXPECT_TRUE(
      has_pair(gw_plan.nodes[0].qemu_argv, "-netdev",
               "user,id=uplink,net=10.100.0.0/24,host=10.100.0.2,guestfwd=tcp:10.100.0.100:7-"
               "cmd:echo vmesh-uplink 1"));
  EXPECT_TRUE(has_pair(gw_plan.nodes[0].qemu_argv, "-device",
                       "virtio-net-pci,netdev=uplink,romfile=,mac=52:54:00:00:02:01"));
  for (const auto& arg : gw_plan.nodes[1].qemu_argv)
    EXPECT_EQ(arg.find("uplink"), std::string::npos);
}

TEST(Profiles, ReadinessJudgesWhatTheProbesShow) {
  EXPECT_TRUE(judge_ap("state=ENABLED\nphy=phy0\n").ready);
  const auto disabled = judge_ap("state=DISABLED\n");
  EXPECT_FALSE(disabled.ready);
  EXPECT_EQ(disabled.seen, "hostapd state=DISABLED");
  EXPECT_FALSE(judge_ap("Failed to connect to hostapd - wpa_ctrl_open: No such file\n").ready);

  const std::string done =
      "bssid=02:00:00:00:01:00\nssid=office\nkey_mgmt=SAE\nwpa_state=COMPLETED\n"
      "ip_address=10.13.0.3\n";
  EXPECT_TRUE(judge_sta(done, "02:00:00:00:01:00", "10.13.0.3").ready);
  EXPECT_FALSE(judge_sta(done, "02:00:00:00:09:00", "10.13.0.3").ready);  // another AP
  EXPECT_FALSE(judge_sta(done, "02:00:00:00:01:00", "10.13.0.4").ready);  // no address yet
  const auto scanning = judge_sta("wpa_state=SCANNING\n", "02:00:00:00:01:00", "10.13.0.3");
  EXPECT_FALSE(scanning.ready);
  EXPECT_EQ(scanning.seen, "wpa_state=SCANNING address=none");

  const std::string cell =
      "Joined IBSS 02:00:00:00:ff:00 (on wlan0)\n\tfreq: 2437\nStation 02:00:00:00:02:00 (on "
      "wlan0)\n\tinactive time:\t10 ms\n";
  EXPECT_TRUE(judge_ibss(cell, 1).ready);
  EXPECT_FALSE(judge_ibss(cell, 2).ready);
  EXPECT_EQ(judge_ibss("Not connected.\n", 1).seen, "no cell joined, 0 of 1 peers");
}

TEST(Profiles, UplinkAnswerNamesTheGatewayIndex) {
  EXPECT_EQ(parse_uplink_answer("vmesh-uplink 2\n"), 2u);
  EXPECT_EQ(parse_uplink_answer("nc: can't connect to remote host: Network is unreachable"),
            std::nullopt);
  EXPECT_EQ(parse_uplink_answer("vmesh-uplink x"), std::nullopt);
  EXPECT_EQ(parse_uplink_answer(""), std::nullopt);
}

}  // namespace
}  // namespace vmesh::launcher
