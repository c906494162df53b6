#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "medium/decision_log.hpp"
#include "tests/medium/medium_test_support.hpp"

namespace vmesh::medium {
namespace {

constexpr std::string_view kMesh = R"([medium]
default = "all"
[medium.defaults]
loss = 0.1
delay = "2ms"
jitter = "1ms"
[[node]]
name = "n1"
[[node]]
name = "n2"
[[node]]
name = "n3"
[[node]]
name = "n4"
[[node]]
name = "n5"
[[link]]
nodes = ["n1", "n2"]
burst_loss = { enter = 0.05, leave = 0.3 }
[[link]]
nodes = ["n2", "n3"]
rate = "2Mbps"
[[event]]
at = "1s"
action = "ramp"
nodes = ["n4", "n5"]
duration = "2s"
loss = 0.8
[[event]]
at = "2s"
action = "link_down"
nodes = ["n1", "n3"]
)";

// A fixed, seed-independent traffic pattern: 20000 frames from random senders over 4 s.
std::string run_log(std::uint64_t seed) {
  Medium medium(parse_topology(kMesh, "mesh.toml"), seed);
  std::mt19937 traffic(12345);
  DecisionLog log;
  std::vector<Delivery> out;
  std::uint64_t now = 0;
  for (int i = 0; i < 20000; ++i) {
    now += traffic() % 400;
    const auto sender = static_cast<NodeId>(traffic() % 5);
    out.clear();
    medium.decide(testing::frame_from(sender, 200 + traffic() % 1300), now, out);
    log.record(now, sender, out);
  }
  std::ostringstream text;
  log.write(text);
  return text.str();
}

TEST(MediumDeterminism, SameSeedSameLogOtherSeedDifferentLog) {
  const std::string first = run_log(42);
  const std::string second = run_log(42);
  EXPECT_EQ(first.size(), second.size());
  EXPECT_TRUE(first == second) << "two runs with one seed differ";
  EXPECT_NE(first, run_log(43));
  // The log covers every kind of decision in the topology.
  EXPECT_NE(first.find(" drop_loss "), std::string::npos);
  EXPECT_NE(first.find(" drop_deaf "), std::string::npos);
  EXPECT_NE(first.find(" drop_rate "), std::string::npos);
  EXPECT_NE(first.find(" deliver "), std::string::npos);
}

TEST(MediumDeterminism, LogRoundTripsThroughText) {
  const std::string text = run_log(7);
  const auto parsed = DecisionLog::parse(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->decisions().size(), 20000U * 4U);
  EXPECT_EQ(parsed->text(), text);
  EXPECT_FALSE(DecisionLog::parse("1 0 1 deliver 5 -50"));  // no final newline
  EXPECT_FALSE(DecisionLog::parse("1 0 1 teleport 5 -50\n"));
  EXPECT_FALSE(DecisionLog::parse("1 0 1 deliver 5 -500\n"));
}

TEST(MediumDeterminism, FormatOfOneDecision) {
  EXPECT_EQ(format_decision(Decision{1500, 0, 2, Verdict::deliver, 2000, -50}),
            "1500 0 2 deliver 2000 -50");
  EXPECT_EQ(parse_decision("1500 0 2 drop_rate 0 -7"),
            (Decision{1500, 0, 2, Verdict::drop_rate, 0, -7}));
}

TEST(MediumDeterminism, LinksHaveIndependentRandomStreams) {
  // The decisions for n1's frames do not change when other nodes also send.
  const Topology topology = parse_topology(kMesh, "mesh.toml");
  Medium alone(topology, 5);
  Medium busy(topology, 5);
  std::vector<Delivery> a;
  std::vector<Delivery> b;
  std::vector<Delivery> noise;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const std::uint64_t now = i * 300;
    a.clear();
    b.clear();
    alone.decide(testing::frame_from(0, 300), now, a);
    busy.decide(testing::frame_from(static_cast<NodeId>(1 + i % 4), 300), now, noise);
    busy.decide(testing::frame_from(0, 300), now, b);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      ASSERT_EQ(a[k].verdict, b[k].verdict) << "frame " << i;
      ASSERT_EQ(a[k].delay_us, b[k].delay_us) << "frame " << i;
    }
  }
}

}  // namespace
}  // namespace vmesh::medium
