#include "medium/topology_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vmesh::medium {
namespace {

constexpr std::string_view kTwoNodes = R"([[node]]
name = "a"
[[node]]
name = "b"
)";

// The error text for `text`, or "no error".
std::string error_of(std::string_view text) {
  try {
    parse_topology(text, "t.toml");
  } catch (const TopologyError& error) {
    return error.what();
  }
  return "no error";
}

std::string with_nodes(std::string_view rest) {
  return std::string(kTwoNodes) + std::string(rest);
}

TEST(TopologyParser, ParsesTheDesignExample) {
  const Topology topology = parse_topology(R"([meta]
name = "line3"
seed = 42

[medium]
default = "none"
channel = 1

[medium.defaults]
loss = 0.0
delay = "1ms"
jitter = "0ms"

[[node]]
name = "n1"
[[node]]
name = "n2"
[[node]]
name = "n3"

[[link]]
nodes = ["n1", "n2"]
loss = 0.01
delay = "2ms"

[[link]]
from = "n2"
to = "n3"
loss = 0.05

[[link]]
nodes = ["n2", "n3"]

[[event]]
at = "30s"
action = "link_down"
nodes = ["n2", "n3"]

[[check]]
ping = { from = "n1", to = "n3" }
[[check]]
neighbors = "topology"
)",
                                           "line3.toml");
  EXPECT_EQ(topology.source_name, "line3.toml");
  EXPECT_EQ(topology.meta.name, "line3");
  EXPECT_EQ(topology.meta.seed, 42U);
  EXPECT_EQ(topology.meta.timeline_start, TimelineStart::run);
  EXPECT_EQ(topology.medium.default_reach, DefaultReach::none);
  EXPECT_EQ(topology.medium.channel, 1U);
  EXPECT_EQ(topology.medium.defaults.delay_us, 1000U);
  ASSERT_EQ(topology.nodes.size(), 3U);
  EXPECT_EQ(topology.nodes[2].name, "n3");
  ASSERT_EQ(topology.links.size(), 3U);
  EXPECT_TRUE(topology.links[0].symmetric);
  EXPECT_FALSE(topology.links[1].symmetric);

  // n1 <-> n2: the link's own values over the defaults.
  const auto n1_n2 = listed_link_params(topology, 0, 1);
  ASSERT_TRUE(n1_n2);
  EXPECT_DOUBLE_EQ(n1_n2->loss_prob, 0.01);
  EXPECT_EQ(n1_n2->delay_us, 2000U);
  EXPECT_EQ(listed_link_params(topology, 1, 0), n1_n2);
  // n2 -> n3: the one-way link overrides the symmetric one (written after it) ...
  const auto n2_n3 = listed_link_params(topology, 1, 2);
  ASSERT_TRUE(n2_n3);
  EXPECT_DOUBLE_EQ(n2_n3->loss_prob, 0.05);
  EXPECT_EQ(n2_n3->delay_us, 1000U);
  // ... but only in its direction.
  EXPECT_DOUBLE_EQ(listed_link_params(topology, 2, 1)->loss_prob, 0.0);
  EXPECT_FALSE(listed_link_params(topology, 0, 2));

  ASSERT_EQ(topology.events.size(), 1U);
  EXPECT_EQ(topology.events[0].at_us, 30'000'000U);
  EXPECT_EQ(topology.events[0].action, EventAction::link_down);
  EXPECT_TRUE(topology.events[0].symmetric);
  EXPECT_EQ(topology.events[0].from, 1);
  EXPECT_EQ(topology.events[0].to, 2);
}

TEST(TopologyParser, NodeIdentityAndOverrides) {
  const Topology topology = parse_topology(R"([[node]]
name = "a"
[[node]]
name = "b"
mac_prefix = "02:aa:bb:cc:07"
cid = 7
channel = 11
position = [1.5, -2]
memory_mb = 512
radios = 2
profile = "ap"
image = "custom.cpio"
provision = ["uci commit", "reboot"]
)",
                                           "t.toml");
  EXPECT_EQ(topology.nodes[0].mac_prefix, (MacPrefix{0x02, 0, 0, 0, 0x01}));
  EXPECT_FALSE(topology.nodes[0].vsock_cid);
  const NodeSpec& b = topology.nodes[1];
  EXPECT_EQ(b.mac_prefix, (MacPrefix{0x02, 0xaa, 0xbb, 0xcc, 0x07}));
  EXPECT_EQ(b.vsock_cid, 7U);
  EXPECT_EQ(b.channel, 11U);
  ASSERT_TRUE(b.position);
  EXPECT_EQ(*b.position, (Position{1.5, -2.0, 0.0}));
}

TEST(TopologyParser, ForeignKeysAreLeftToTheirOwner) {
  const std::string text = with_nodes(
      "[[event]]\nat = \"40s\"\naction = \"node_kill\"\nnode = \"nobody\"\n"
      "[[event]]\nat = \"45s\"\naction = \"heal\"\n"
      "[[check]]\nbogus = 1\n");
  // By default the launcher's parts are accepted unread: the scenario parser validates them.
  const Topology topology = parse_topology(text, "t.toml");
  ASSERT_EQ(topology.events.size(), 1u);
  EXPECT_EQ(topology.events[0].action, EventAction::heal);
  // Told that nothing is foreign, the medium rejects them like any unknown key.
  EXPECT_THROW(parse_topology(text, "t.toml", ForeignKeys{}), TopologyError);
  const std::string transport = "[medium]\ntransport = \"anything\"\n" + with_nodes("");
  EXPECT_NO_THROW(parse_topology(transport, "t.toml"));
  EXPECT_THROW(parse_topology(transport, "t.toml", ForeignKeys{}), TopologyError);
  try {
    parse_topology("[[node]]\nname = \"a\"\nmemory_mb = 256\n", "t.toml", ForeignKeys{});
    FAIL() << "no error";
  } catch (const TopologyError& error) {
    EXPECT_STREQ(error.what(),
                 "t.toml:3:1: unknown key 'memory_mb' in [[node]]; expected one of: name, "
                 "mac_prefix, cid, channel, position");
  }
}

TEST(TopologyParser, LinkParametersAndEvents) {
  const Topology topology = parse_topology(with_nodes(R"([medium]
path_loss = "log_distance"
path_loss_exponent = 2.7
[[link]]
from = "a"
to = "b"
rate = "1.5Mbps"
burst = 4000
queue = "20ms"
burst_loss = { enter = 0.1, leave = 0.5, loss_bad = 0.9 }
signal_dbm = -70
reorder = true
jitter = "5ms"
[[event]]
at = "2min"
action = "move"
node = "b"
position = [10, 0, 3]
[[event]]
at = "1.5s"
action = "ramp"
nodes = ["a", "b"]
duration = "250us"
loss = 1
[[event]]
at = "1s"
action = "partition"
groups = [["a"], ["b"]]
)"),
                                           "t.toml");
  EXPECT_EQ(topology.medium.path_loss, PathLossModel::log_distance);
  EXPECT_DOUBLE_EQ(topology.medium.path_loss_exponent, 2.7);
  const LinkParams ab = *listed_link_params(topology, 0, 1);
  EXPECT_EQ(ab.rate_bps, 1'500'000U);
  EXPECT_EQ(ab.burst_bytes, 4000U);
  EXPECT_EQ(ab.queue_us, 20'000U);
  ASSERT_TRUE(ab.burst_loss);
  EXPECT_EQ(*ab.burst_loss, (BurstLoss{0.1, 0.5, 0.0, 0.9}));
  EXPECT_EQ(ab.signal_dbm, -70);
  EXPECT_TRUE(ab.reorder);
  EXPECT_EQ(ab.jitter_us, 5000U);
  EXPECT_FALSE(listed_link_params(topology, 1, 0));

  // Sorted by time.
  ASSERT_EQ(topology.events.size(), 3U);
  EXPECT_EQ(topology.events[0].action, EventAction::partition);
  EXPECT_EQ(topology.events[0].groups, (std::vector<std::vector<NodeId>>{{0}, {1}}));
  EXPECT_EQ(topology.events[1].action, EventAction::ramp);
  EXPECT_EQ(topology.events[1].at_us, 1'500'000U);
  EXPECT_EQ(topology.events[1].duration_us, 250U);
  EXPECT_EQ(topology.events[1].params.loss_prob, 1.0);
  EXPECT_EQ(topology.events[2].action, EventAction::move);
  EXPECT_EQ(topology.events[2].at_us, 120'000'000U);
  EXPECT_EQ(topology.events[2].position, (Position{10, 0, 3}));
}

TEST(TopologyParser, SyntaxErrorsCarryTheLocation) {
  // The message after the location is toml++'s own.
  EXPECT_EQ(error_of("[meta\nname = 1\n"),
            "t.toml:1:6: Error while parsing table header: expected ']', saw '\\n'");
  EXPECT_EQ(error_of(with_nodes("x = = 1\n")),
            "t.toml:5:5: Error while parsing value: could not determine value type");
}

TEST(TopologyParser, TimelineStartIsTheRunOrEveryNodeReady) {
  EXPECT_EQ(
      parse_topology("[meta]\ntimeline_start = \"ready\"\n" + std::string(kTwoNodes), "t.toml")
          .meta.timeline_start,
      TimelineStart::ready);
  EXPECT_EQ(parse_topology("[meta]\ntimeline_start = \"run\"\n" + std::string(kTwoNodes), "t.toml")
                .meta.timeline_start,
            TimelineStart::run);
  EXPECT_EQ(error_of("[meta]\ntimeline_start = \"boot\"\n" + std::string(kTwoNodes)),
            "t.toml:2:18: timeline_start must be \"run\" (t = 0 when the run starts) or \"ready\" "
            "(t = 0 when every node is ready), not \"boot\"");
}

TEST(TopologyParser, RejectsUnknownKeys) {
  EXPECT_EQ(error_of("nodes = 1\n" + std::string(kTwoNodes)),
            "t.toml:1:1: unknown key 'nodes' in the top level; expected one of: meta, medium, "
            "node, link, event, check, image");
  EXPECT_EQ(error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\nlos = 0.1\n")),
            "t.toml:7:1: unknown key 'los' in [[link]]; expected one of: nodes, from, to, loss, "
            "delay, jitter, "
            "reorder, rate, burst, queue, burst_loss, signal_dbm");
  EXPECT_EQ(error_of("[meta]\nname = \"x\"\n  seeed = 3\n"),
            "t.toml:3:3: unknown key 'seeed' in [meta]; expected one of: name, description, seed, "
            "timeline_start");
  EXPECT_EQ(error_of(with_nodes("[medium.defaults]\nsignal = -40\n")),
            "t.toml:6:1: unknown key 'signal' in [medium.defaults]; expected one of: loss, delay, "
            "jitter, reorder, "
            "rate, burst, queue, burst_loss, signal_dbm");
  EXPECT_EQ(
      error_of("[[node]]\nname = \"a\"\nmemory = 256\n"),
      "t.toml:3:1: unknown key 'memory' in [[node]]; expected one of: name, mac_prefix, cid, "
      "channel, "
      "position, memory_mb, radios, profile, image, provision, ssid, psk, security, ap, gateway");
  EXPECT_EQ(
      error_of(with_nodes("[[event]]\nat = \"1s\"\naction = \"heal\"\nnodes = [\"a\", \"b\"]\n")),
      "t.toml:8:1: unknown key 'nodes' in [[event]] heal; expected one of: at, action");
}

TEST(TopologyParser, RejectsUnknownNodeNames) {
  EXPECT_EQ(error_of(with_nodes("[[link]]\nnodes = [\"a\", \"c\"]\n")),
            "t.toml:6:15: unknown node 'c' in nodes; expected one of: a, b");
  EXPECT_EQ(error_of(with_nodes("[[link]]\nfrom = \"x\"\nto = \"b\"\n")),
            "t.toml:6:8: unknown node 'x' in from; expected one of: a, b");
  EXPECT_EQ(error_of(with_nodes("[[event]]\nat = \"1s\"\naction = \"node_down\"\nnode = \"z\"\n")),
            "t.toml:8:8: unknown node 'z' in node; expected one of: a, b");
}

TEST(TopologyParser, RejectsProbabilitiesOutsideZeroOne) {
  EXPECT_EQ(error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\nloss = 1.5\n")),
            "t.toml:7:8: loss must be a probability in [0, 1], got 1.5");
  EXPECT_EQ(error_of(with_nodes("[medium.defaults]\nloss = -0.1\n")),
            "t.toml:6:8: loss must be a probability in [0, 1], got -0.1");
  EXPECT_EQ(error_of(with_nodes("[medium.defaults]\nloss = \"5%\"\n")),
            "t.toml:6:8: loss must be a probability in [0, 1], got \"5%\"");
  EXPECT_EQ(error_of(with_nodes(
                "[[link]]\nnodes = [\"a\", \"b\"]\nburst_loss = { enter = 0.1, leave = 2 }\n")),
            "t.toml:7:37: burst_loss.leave must be a probability in [0, 1], got 2");
}

TEST(TopologyParser, RejectsJitterLargerThanDelayUnlessReorder) {
  EXPECT_EQ(
      error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\ndelay = \"1ms\"\njitter = \"2ms\"\n")),
      "t.toml:8:10: jitter 2ms is larger than delay 1ms on a -> b; expected jitter <= delay, or "
      "reorder = "
      "true to let frames overtake each other");
  EXPECT_EQ(error_of(with_nodes("[medium.defaults]\njitter = \"1us\"\n")),
            "t.toml:6:10: jitter 1us is larger than delay 0 on [medium.defaults]; expected jitter "
            "<= delay, or "
            "reorder = true to let frames overtake each other");
  // A one-way link that shortens the delay of a symmetric link with jitter: the
  // direction it changes is reported at the symmetric link's jitter.
  EXPECT_EQ(
      error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\ndelay = \"5ms\"\njitter = \"2ms\"\n"
                          "[[link]]\nfrom = \"b\"\nto = \"a\"\ndelay = \"1ms\"\n")),
      "t.toml:8:10: jitter 2ms is larger than delay 1ms on b -> a; expected jitter <= delay, or "
      "reorder = "
      "true to let frames overtake each other");
  EXPECT_EQ(
      error_of(with_nodes(
          "[[link]]\nnodes = [\"a\", \"b\"]\ndelay = \"1ms\"\njitter = \"2ms\"\nreorder = true\n")),
      "no error");
  EXPECT_EQ(
      error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\ndelay = \"2ms\"\njitter = \"2ms\"\n")),
      "no error");
}

TEST(TopologyParser, RejectsNegativeAndMalformedTimes) {
  const std::string expected =
      " must be a non-negative duration such as \"250us\", \"2ms\", \"1.5s\" or \"2min\", got ";
  EXPECT_EQ(error_of(with_nodes("[[event]]\nat = \"-5s\"\naction = \"heal\"\n")),
            "t.toml:6:6: at" + expected + "\"-5s\"");
  EXPECT_EQ(error_of(with_nodes("[[event]]\nat = 30\naction = \"heal\"\n")),
            "t.toml:6:6: at" + expected + "30");
  EXPECT_EQ(error_of(with_nodes("[medium.defaults]\ndelay = \"2 ms\"\n")),
            "t.toml:6:9: delay" + expected + "\"2 ms\"");
  EXPECT_EQ(error_of(with_nodes("[medium.defaults]\ndelay = \"2h\"\n")),
            "t.toml:6:9: delay" + expected + "\"2h\"");
}

TEST(TopologyParser, RejectsDuplicates) {
  EXPECT_EQ(error_of("[[node]]\nname = \"a\"\n[[node]]\nname = \"a\"\n"),
            "t.toml:4:8: duplicate node 'a'");
  EXPECT_EQ(
      error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\n[[link]]\nnodes = [\"b\", \"a\"]\n")),
      "t.toml:7:1: duplicate link b - a");
  EXPECT_EQ(error_of("[[node]]\nname = \"a\"\ncid = 5\n[[node]]\nname = \"b\"\ncid = 5\n"),
            "t.toml:6:7: cid already used by node 'a'");
  // Bit 0x40 of the first octet does not make a different node (hwsim sets it on TX).
  EXPECT_EQ(
      error_of("[[node]]\nname = \"a\"\n[[node]]\nname = \"b\"\nmac_prefix = \"42:00:00:00:01\"\n"),
      "t.toml:5:14: node 'b' has the same MAC prefix as 'a'");
}

TEST(TopologyParser, RejectsOtherInvalidValues) {
  EXPECT_EQ(error_of("[meta]\nname = \"x\"\n"),
            "t.toml:1:1: a topology needs at least one [[node]]");
  EXPECT_EQ(error_of("[[node]]\nprofile = \"ap\"\n"), "t.toml:1:1: [[node]] needs a name");
  EXPECT_EQ(error_of(with_nodes("[medium]\ndefault = \"some\"\n")),
            "t.toml:6:11: default must be \"none\" or \"all\", got \"some\"");
  EXPECT_EQ(error_of(with_nodes("[medium]\nacks = \"sometimes\"\n")),
            "t.toml:6:8: acks must be \"always\" (every frame acknowledged by its sender, as "
            "vwifi) or \"medium\" (unicast frames acknowledged only when the medium delivered "
            "them), got \"sometimes\"");
  EXPECT_EQ(error_of(with_nodes("[medium]\nchannel = 15\n")),
            "t.toml:6:11: channel must be 1-14 or 32-177, got 15");
  EXPECT_EQ(error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\nfrom = \"a\"\n")),
            "t.toml:6:9: use either nodes = [a, b] (both directions) or from/to (one direction), "
            "not both");
  EXPECT_EQ(error_of(with_nodes("[[link]]\nfrom = \"a\"\n")),
            "t.toml:5:1: expected nodes = [a, b] (both directions) or from and to (one direction)");
  EXPECT_EQ(error_of(with_nodes("[[link]]\nnodes = [\"a\", \"a\"]\n")),
            "t.toml:6:9: a link needs two different nodes");
  EXPECT_EQ(error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\nrate = \"fast\"\n")),
            "t.toml:7:8: rate must be a positive bit rate such as \"10Mbps\", \"512kbit\" or "
            "1000000, got \"fast\"");
  EXPECT_EQ(
      error_of(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\nburst_loss = { enter = 0.1 }\n")),
      "t.toml:7:14: burst_loss needs enter (P good -> bad) and leave (P bad -> good)");
  EXPECT_EQ(
      error_of(with_nodes("[[event]]\nat = \"1s\"\naction = \"explode\"\n")),
      "t.toml:7:10: unknown action 'explode'; expected one of: link_down, link_up, set_link, ramp, "
      "partition, heal, node_down, node_up, move, node_kill, node_start, relay_restart");
  EXPECT_EQ(error_of(with_nodes("[[event]]\naction = \"heal\"\n")),
            "t.toml:5:1: [[event]] needs at (a time such as \"30s\") and action");
  EXPECT_EQ(error_of(with_nodes(
                "[[event]]\nat = \"1s\"\naction = \"ramp\"\nnodes = [\"a\", \"b\"]\nloss = 0.5\n")),
            "t.toml:5:1: ramp needs a duration such as \"10s\"");
  EXPECT_EQ(error_of(with_nodes(
                "[[event]]\nat = \"1s\"\naction = \"set_link\"\nnodes = [\"a\", \"b\"]\n")),
            "t.toml:5:1: set_link needs at least one link parameter (loss, delay, jitter, reorder, "
            "rate, burst, "
            "queue, burst_loss, signal_dbm)");
  EXPECT_EQ(
      error_of(with_nodes(
          "[[event]]\nat = \"1s\"\naction = \"partition\"\ngroups = [[\"a\", \"b\"], [\"a\"]]\n")),
      "t.toml:8:24: node 'a' is in more than one group");
  EXPECT_EQ(
      error_of(with_nodes(
          "[[event]]\nat = \"1s\"\naction = \"move\"\nnode = \"a\"\nposition = [1, 2]\n")),
      "t.toml:9:12: move needs a path-loss model; expected [medium] path_loss = \"free_space\" or "
      "\"log_distance\"");
  EXPECT_EQ(error_of("[[node]]\nname = \"a\"\nposition = [1]\n"),
            "t.toml:3:12: position must be [x, y] or [x, y, z] in metres, got [1]");
  EXPECT_EQ(error_of("[[node]]\nname = \"a\"\nmac_prefix = \"02:00:00:00\"\n"),
            "t.toml:3:14: mac_prefix must be five hex octets such as \"02:00:00:00:01\", got "
            "\"02:00:00:00\"");
  EXPECT_EQ(error_of("node = 3\n"), "t.toml:1:8: node must be written as [[node]] tables");
}

TEST(TopologyParser, LoadFileReportsUnreadableFiles) {
  try {
    load_topology_file("/nonexistent/vmesh/none.toml");
    FAIL() << "no error";
  } catch (const TopologyError& error) {
    EXPECT_STREQ(error.what(), "/nonexistent/vmesh/none.toml: cannot open the topology file");
    EXPECT_EQ(error.line(), 0U);
  }
}

TEST(TopologyParser, ErrorCarriesItsParts) {
  try {
    parse_topology(with_nodes("[[link]]\nnodes = [\"a\", \"b\"]\nloss = 2\n"), "dir/x.toml");
    FAIL() << "no error";
  } catch (const TopologyError& error) {
    EXPECT_EQ(error.file(), "dir/x.toml");
    EXPECT_EQ(error.line(), 7U);
    EXPECT_EQ(error.column(), 8U);
    EXPECT_EQ(error.message(), "loss must be a probability in [0, 1], got 2");
  }
}

TEST(TopologyParser, AckModeDefaultsToVwifisAndTakesMedium) {
  EXPECT_EQ(parse_topology(with_nodes(""), "t.toml").medium.acks, AckMode::always);
  EXPECT_EQ(parse_topology(with_nodes("[medium]\nacks = \"medium\"\n"), "t.toml").medium.acks,
            AckMode::medium);
}

}  // namespace
}  // namespace vmesh::medium
