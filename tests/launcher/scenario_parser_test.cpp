// The launcher's sections of a topology file: VM settings, run actions and checks, read by
// parse_scenario after the medium parser, with the same located errors.
#include "launcher/scenario/scenario_parser.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "medium/topology_parser.hpp"

namespace vmesh::launcher {
namespace {

using medium::EventAction;
using medium::TopologyError;

constexpr std::string_view kTwoNodes = R"([[node]]
name = "a"
[[node]]
name = "b"
)";

// The error text for `text`, or "no error".
std::string error_of(std::string_view text) {
  try {
    parse_scenario(text, "t.toml");
  } catch (const TopologyError& error) {
    return error.what();
  }
  return "no error";
}

std::string with_nodes(std::string_view rest) {
  return std::string(kTwoNodes) + std::string(rest);
}

TEST(ScenarioParser, ReadsTheDesignExampleChecks) {
  const Scenario scenario = parse_scenario(R"([meta]
name = "line3"
[[node]]
name = "n1"
[[node]]
name = "n2"
[[node]]
name = "n3"
[[link]]
nodes = ["n1", "n2"]
[[event]]
at = "30s"
action = "link_down"
nodes = ["n1", "n2"]
[[check]]
ping = { from = "n1", to = "n3" }
[[check]]
neighbors = "topology"
)",
                                           "line3.toml");
  EXPECT_EQ(scenario.topology.meta.name, "line3");
  ASSERT_EQ(scenario.topology.events.size(), 1U);
  ASSERT_EQ(scenario.nodes.size(), 3U);
  ASSERT_EQ(scenario.checks.size(), 2U);
  EXPECT_EQ(scenario.checks[0].kind, CheckKind::ping);
  EXPECT_EQ(scenario.checks[0].from, 0);
  EXPECT_EQ(scenario.checks[0].to, 2);
  EXPECT_EQ(scenario.checks[1].kind, CheckKind::neighbors);
  EXPECT_EQ(scenario.checks[1].neighbors, "topology");
}

TEST(ScenarioParser, NodeSettings) {
  const Scenario scenario = parse_scenario(R"([[node]]
name = "a"
[[node]]
name = "b"
mac_prefix = "02:aa:bb:cc:07"
memory_mb = 512
radios = 2
profile = "ap"
image = "custom.cpio"
provision = ["uci commit", "reboot"]
)",
                                           "t.toml");
  ASSERT_EQ(scenario.nodes.size(), 2U);
  EXPECT_FALSE(scenario.nodes[0].memory_mb);
  EXPECT_TRUE(scenario.nodes[0].provision.empty());
  const NodeSettings& b = scenario.nodes[1];
  EXPECT_EQ(scenario.topology.nodes[1].mac_prefix,
            (medium::MacPrefix{0x02, 0xaa, 0xbb, 0xcc, 0x07}));
  EXPECT_EQ(b.memory_mb, 512U);
  EXPECT_EQ(b.radios, 2U);
  EXPECT_EQ(b.profile, Profile::ap);
  EXPECT_EQ(b.image, "custom.cpio");
  EXPECT_EQ(b.provision, (std::vector<std::string>{"uci commit", "reboot"}));
  EXPECT_EQ(error_of("[[node]]\nname = \"a\"\nmemory_mb = 32\n"),
            "t.toml:3:13: memory_mb must be an integer in [64, 65536], got 32");
  EXPECT_EQ(error_of("[[node]]\nname = \"a\"\nprovision = \"reboot\"\n"),
            "t.toml:3:13: provision must be an array of command strings");
}

TEST(ScenarioParser, RunActionsAreKeptApartFromTheMediumEventsInTimeOrder) {
  const Scenario scenario = parse_scenario(with_nodes(R"(
[[event]]
at = "50s"
action = "node_start"
node = "b"
[[event]]
at = "40s"
action = "node_kill"
node = "b"
[[event]]
at = "45s"
action = "heal"
[[event]]
at = "70s"
action = "relay_restart"
down_for = "3s"
[[event]]
at = "80s"
action = "relay_restart"
)"),
                                           "t.toml");
  ASSERT_EQ(scenario.topology.events.size(), 1u);
  EXPECT_EQ(scenario.topology.events[0].action, EventAction::heal);
  const auto& actions = scenario.run_actions;
  ASSERT_EQ(actions.size(), 4u);
  EXPECT_EQ(actions[0].kind, RunActionKind::node_kill);
  EXPECT_EQ(actions[0].at_us, 40'000'000u);
  EXPECT_EQ(actions[0].node, 1u);
  EXPECT_EQ(actions[1].kind, RunActionKind::node_start);
  EXPECT_EQ(actions[1].at_us, 50'000'000u);
  EXPECT_EQ(actions[2].kind, RunActionKind::relay_restart);
  EXPECT_EQ(actions[2].down_for_us, 3'000'000u);
  EXPECT_EQ(actions[3].down_for_us, 2'000'000u) << "default down_for";
}

TEST(ScenarioParser, RunActionErrorsNameTheLine) {
  EXPECT_EQ(error_of(with_nodes("[[event]]\nat = \"1s\"\naction = \"node_start\"\nnode = \"a\"\n")),
            "t.toml:5:1: node_start: 'a' is running at this time; node_kill it earlier");
  EXPECT_EQ(error_of(with_nodes("[[event]]\nat = \"1s\"\naction = \"node_kill\"\nnode = \"a\"\n"
                                "[[event]]\nat = \"2s\"\naction = \"node_kill\"\nnode = \"a\"\n")),
            "t.toml:9:1: node_kill: 'a' is already killed at this time; node_start it first");
  EXPECT_EQ(error_of(with_nodes("[[event]]\nat = \"1s\"\naction = \"node_kill\"\n")),
            "t.toml:5:1: node_kill needs node = \"name\"");
  EXPECT_EQ(error_of(with_nodes("[[event]]\nat = \"1s\"\naction = \"node_kill\"\nnode = \"z\"\n")),
            "t.toml:8:8: unknown node 'z' in node; expected one of: a, b");
  EXPECT_EQ(error_of(with_nodes(
                "[[event]]\nat = \"1s\"\naction = \"relay_restart\"\ndown_for = \"2min\"\n")),
            "t.toml:8:12: down_for must be at most 60s (agents back off up to 1 s between tries)");
  EXPECT_EQ(
      error_of(with_nodes("[[event]]\nat = \"1s\"\naction = \"relay_restart\"\nnode = \"a\"\n")),
      "t.toml:8:1: unknown key 'node' in [[event]] relay_restart; expected one of: at, action, "
      "down_for");
}

TEST(ScenarioParser, IperfAndRouteChecks) {
  const Scenario scenario = parse_scenario(with_nodes(R"([[check]]
iperf = { from = "a", to = "b", min_mbps = 5.5 }
deadline = "45s"
[[check]]
route = { from = "b", to = "a", via = "a" }
)"),
                                           "t.toml");
  const auto& checks = scenario.checks;
  ASSERT_EQ(checks.size(), 2U);
  EXPECT_EQ(checks[0].kind, CheckKind::iperf);
  EXPECT_DOUBLE_EQ(checks[0].min_mbps, 5.5);
  EXPECT_EQ(checks[0].deadline_us, 45'000'000U);
  EXPECT_EQ(checks[1].kind, CheckKind::route);
  EXPECT_EQ(checks[1].via, 0);
  EXPECT_FALSE(checks[1].deadline_us);
}

TEST(ScenarioParser, RejectsUnknownKeysOfTheWholeFile) {
  EXPECT_EQ(error_of("nodes = 1\n" + std::string(kTwoNodes)),
            "t.toml:1:1: unknown key 'nodes' in the top level; expected one of: meta, medium, "
            "node, link, event, check, image");
  EXPECT_EQ(
      error_of("[[node]]\nname = \"a\"\nmemory = 256\n"),
      "t.toml:3:1: unknown key 'memory' in [[node]]; expected one of: name, mac_prefix, cid, "
      "channel, "
      "position, memory_mb, radios, profile, image, provision, ssid, psk, security, ap, gateway");
  EXPECT_EQ(error_of(with_nodes("[[check]]\nping = { from = \"a\", to = \"b\", cnt = 3 }\n")),
            "t.toml:6:32: unknown key 'cnt' in check; expected one of: from, to, count, max_loss, "
            "min_loss, min_rtt_ms, max_rtt_ms");
  EXPECT_EQ(error_of(with_nodes("[[check]]\nneighbors = \"topology\"\nwhen = \"now\"\n")),
            "t.toml:7:1: unknown key 'when' in [[check]]; expected one of: ping, neighbors, route, "
            "iperf, associated, uplink, deadline, after");
}

TEST(ScenarioParser, CheckErrorsNameTheLine) {
  EXPECT_EQ(error_of(with_nodes("[[check]]\nroute = { from = \"a\", to = \"b\", via = \"q\" }\n")),
            "t.toml:6:39: unknown node 'q' in via; expected one of: a, b");
  EXPECT_EQ(
      error_of(with_nodes("[[check]]\nping = { from = \"a\", to = \"b\", max_loss = 1.01 }\n")),
      "t.toml:6:43: max_loss must be a probability in [0, 1], got 1.01");
  const std::string expected =
      " must be a non-negative duration such as \"250us\", \"2ms\", \"1.5s\" or \"2min\", got ";
  EXPECT_EQ(error_of(with_nodes("[[check]]\nneighbors = \"topology\"\ndeadline = \"-1ms\"\n")),
            "t.toml:7:12: deadline" + expected + "\"-1ms\"");
  EXPECT_EQ(error_of(with_nodes("[[check]]\nneighbors = \"topology\"\nafter = \"soon\"\n")),
            "t.toml:7:9: after" + expected + "\"soon\"");
  EXPECT_EQ(error_of(with_nodes(
                "[[check]]\nneighbors = \"topology\"\nping = { from = \"a\", to = \"b\" }\n")),
            "t.toml:5:1: each [[check]] needs exactly one of: ping, neighbors, route, iperf, "
            "associated, uplink");
  EXPECT_EQ(error_of(with_nodes("[[check]]\nneighbors = \"all\"\n")),
            "t.toml:6:13: neighbors must be \"topology\", got \"all\"");
  EXPECT_EQ(error_of("[[node]]\nname = \"a\"\ncheck = 3\n"),
            "t.toml:3:1: unknown key 'check' in [[node]]; expected one of: name, mac_prefix, cid, "
            "channel, position, memory_mb, radios, profile, image, provision, ssid, psk, security, "
            "ap, gateway");
  EXPECT_EQ(error_of("check = 3\n" + std::string(kTwoNodes)),
            "t.toml:1:9: check must be written as [[check]] tables");
}

TEST(ScenarioParser, ChecksCanWaitForTheTimeline) {
  const Scenario t = parse_scenario(
      "[meta]\nname = \"t\"\n[[node]]\nname = \"a\"\n[[node]]\nname = \"b\"\n"
      "[[check]]\nping = { from = \"a\", to = \"b\" }\nafter = \"45s\"\ndeadline = \"20s\"\n",
      "t.toml");
  ASSERT_EQ(t.checks.size(), 1u);
  EXPECT_EQ(t.checks[0].after_us, 45'000'000u);
  EXPECT_EQ(t.checks[0].deadline_us, 20'000'000u);
}

TEST(ScenarioParser, PingUnreachableAndRoundTripBounds) {
  const std::string nodes =
      "[meta]\nname = \"t\"\n[[node]]\nname = \"a\"\n[[node]]\nname = \"b\"\n";
  const Scenario t = parse_scenario(
      nodes +
          "[[check]]\nping = { from = \"a\", to = \"b\", min_loss = 1.0 }\n"
          "[[check]]\nping = { from = \"a\", to = \"b\", min_rtt_ms = 100, max_rtt_ms = 160 }\n",
      "t.toml");
  EXPECT_DOUBLE_EQ(t.checks[0].min_loss_prob, 1.0);
  EXPECT_DOUBLE_EQ(t.checks[0].max_loss_prob, 1.0) << "min_loss alone allows up to all lost";
  EXPECT_EQ(t.checks[1].min_rtt_ms, 100.0);
  EXPECT_EQ(t.checks[1].max_rtt_ms, 160.0);
  try {
    parse_scenario(
        nodes + "[[check]]\nping = { from = \"a\", to = \"b\", min_loss = 0.5, max_loss = 0.1 }\n",
        "t.toml");
    FAIL() << "min_loss above max_loss accepted";
  } catch (const TopologyError& e) {
    EXPECT_NE(std::string(e.what()).find("min_loss must not exceed max_loss"), std::string::npos)
        << e.what();
  }
}

TEST(ScenarioParser, MediumTransportChoosesHowTheGuestsReachTheRelay) {
  EXPECT_FALSE(parse_scenario(kTwoNodes, "t.toml").relay_transport);
  EXPECT_FALSE(
      parse_scenario("[medium]\nchannel = 6\n" + std::string(kTwoNodes), "t.toml").relay_transport);
  const auto transport_of = [](std::string_view word) {
    return parse_scenario(fmt::format("[medium]\ntransport = \"{}\"\n{}", word, kTwoNodes),
                          "t.toml")
        .relay_transport;
  };
  EXPECT_EQ(transport_of("serial"), RelayTransport::serial);
  EXPECT_EQ(transport_of("tcp"), RelayTransport::tcp);
  EXPECT_EQ(transport_of("vhost-user"), RelayTransport::vhost_user);
  EXPECT_EQ(
      error_of("[medium]\ndefault = \"all\"\ntransport = \"vsock\"\n" + std::string(kTwoNodes)),
      "t.toml:3:13: transport must be \"serial\", \"tcp\" or \"vhost-user\" (how the "
      "guests' radios reach the relay), got \"vsock\"");
  EXPECT_EQ(
      error_of("[medium]\ntransport = 1\n" + std::string(kTwoNodes)).rfind("t.toml:2:13: ", 0), 0u);
  // The medium's own keys are still checked around it.
  EXPECT_EQ(error_of("[medium]\ntransport = \"tcp\"\ntransports = 1\n" + std::string(kTwoNodes))
                .rfind("t.toml:3:1: unknown key 'transports' in [medium]", 0),
            0u);
}

TEST(ScenarioParser, MediumErrorsComeThroughUnchanged) {
  EXPECT_EQ(error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\nloss = 1.5\n")),
            "t.toml:7:8: loss must be a probability in [0, 1], got 1.5");
  try {
    load_scenario_file("/nonexistent/vmesh/none.toml");
    FAIL() << "no error";
  } catch (const TopologyError& error) {
    EXPECT_STREQ(error.what(), "/nonexistent/vmesh/none.toml: cannot open the topology file");
  }
}

}  // namespace
}  // namespace vmesh::launcher
