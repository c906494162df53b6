// order_timeline: an action runs before the first check whose `after` is not earlier than
// its `at`; checks keep their file order; actions after every check's `after` come last.
#include "launcher/run/run_timeline.hpp"

#include <gtest/gtest.h>

#include "launcher/scenario/scenario_parser.hpp"

namespace vmesh::launcher {
namespace {

using Kind = TimelineStep::Kind;

Scenario parse(const std::string& rest) {
  return parse_scenario(
      "[[node]]\nname = \"a\"\n[[node]]\nname = \"b\"\n[[node]]\nname = \"c\"\n" + rest, "t.toml");
}

TEST(RunTimeline, ActionsGoBeforeTheFirstCheckThatWaitsForThem) {
  const auto topology = parse(R"(
[[event]]
at = "40s"
action = "node_kill"
node = "b"
[[event]]
at = "60s"
action = "node_start"
node = "b"
[[event]]
at = "90s"
action = "relay_restart"
[[check]]
ping = { from = "a", to = "c" }
[[check]]
ping = { from = "a", to = "c" }
after = "41s"
[[check]]
ping = { from = "a", to = "b", min_loss = 1.0 }
after = "41s"
[[check]]
ping = { from = "a", to = "b" }
after = "60s"
)");
  const std::vector<TimelineStep> expected = {
      {Kind::check, 0},  {Kind::action, 0}, {Kind::check, 1},  {Kind::check, 2},
      {Kind::action, 1}, {Kind::check, 3},  {Kind::action, 2},
  };
  EXPECT_EQ(order_timeline(topology), expected);
}

TEST(RunTimeline, WithoutActionsTheChecksKeepTheirOrder) {
  const auto topology = parse(R"(
[[check]]
ping = { from = "a", to = "c" }
after = "10s"
[[check]]
ping = { from = "a", to = "b" }
)");
  const std::vector<TimelineStep> expected = {{Kind::check, 0}, {Kind::check, 1}};
  EXPECT_EQ(order_timeline(topology), expected);
}

TEST(RunTimeline, ActionNamesSayWhatAndWhom) {
  const auto topology = parse(R"(
[[event]]
at = "1s"
action = "node_kill"
node = "c"
[[event]]
at = "2s"
action = "relay_restart"
)");
  EXPECT_EQ(action_name(topology.topology, topology.run_actions[0]), "node_kill c");
  EXPECT_EQ(action_name(topology.topology, topology.run_actions[1]), "relay_restart");
}

}  // namespace
}  // namespace vmesh::launcher
