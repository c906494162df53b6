// Checks against scripted node output (no VMs): pass, fail, retry until the deadline.
#include "launcher/checks/mesh_checks.hpp"

#include <map>

#include <gtest/gtest.h>

#include "launcher/scenario/scenario_parser.hpp"

namespace vmesh::launcher {
namespace {

const char* kLine3 = R"(
[medium]
default = "none"
[[node]]
name = "n1"
[[node]]
name = "n2"
[[node]]
name = "n3"
[[link]]
nodes = ["n1", "n2"]
[[link]]
nodes = ["n2", "n3"]
[[check]]
ping = { from = "n1", to = "n3", count = 4, max_loss = 0.25 }
deadline = "1s"
[[check]]
route = { from = "n1", to = "n3", via = "n2" }
deadline = "1s"
[[check]]
neighbors = "topology"
deadline = "1s"
[[check]]
iperf = { from = "n1", to = "n2", min_mbps = 5 }
deadline = "1s"
)";

struct Fixture {
  Scenario scenario = parse_scenario(kLine3, "line3.toml");
  const medium::Topology& topology = scenario.topology;
  RunPlan plan;
  std::map<std::pair<medium::NodeId, std::string>, std::string> replies;  // (node, command prefix)
  std::vector<std::string> seen;
  Fixture() {
    PlanInputs in;
    in.node_count = 3;
    in.ssh_ports = {1, 2, 3};
    plan = plan_run(scenario, in);
  }
  RunOnNode runner() {
    return [this](medium::NodeId node, const std::string& command, int) {
      seen.push_back(command);
      for (const auto& [key, reply] : replies) {
        if (key.first == node && command.starts_with(key.second)) return SshResult{0, reply, ""};
      }
      return SshResult{1, "", "not scripted"};
    };
  }
};

std::string neighbors_of(std::initializer_list<const char*> macs) {
  std::string out = "IF             Neighbor              last-seen\n";
  for (const char* mac : macs) out += std::string("        wlan0\t  ") + mac + "    0.1s\n";
  return out;
}

TEST(Checks, PingPassesWithinMaxLossAndTargetsTheMeshIp) {
  Fixture f;
  f.replies[{0, "ping"}] = "4 packets transmitted, 3 packets received, 25% packet loss\n";
  const auto outcome = run_check(f.topology, f.plan, f.scenario.checks[0], f.runner(), 1000);
  EXPECT_TRUE(outcome.passed) << outcome.detail;
  EXPECT_EQ(outcome.name, "ping n1->n3");
  EXPECT_NE(f.seen.at(0).find("-c 4"), std::string::npos);
  EXPECT_NE(f.seen.at(0).find("10.13.0.3"), std::string::npos);
}

TEST(Checks, PingFailsAfterRetryingUntilTheDeadline) {
  Fixture f;
  f.replies[{0, "ping"}] = "4 packets transmitted, 2 packets received, 50% packet loss\n";
  const auto outcome = run_check(f.topology, f.plan, f.scenario.checks[0], f.runner(), 1000);
  EXPECT_FALSE(outcome.passed);
  EXPECT_GE(outcome.attempts, 2u);
  EXPECT_GE(outcome.seconds, 1.0);
  EXPECT_NE(outcome.detail.find("2/4 received"), std::string::npos);
}

TEST(Checks, RouteThroughTheMiddleNode) {
  Fixture f;
  f.replies[{0, "batctl o"}] = " * 02:00:00:00:03:00    0.7s   ( 30) 02:00:00:00:02:00 [  wlan0]\n";
  EXPECT_TRUE(attempt_check(f.topology, f.plan, f.scenario.checks[1], f.runner()).passed);
  f.replies[{0, "batctl o"}] = " * 02:00:00:00:03:00    0.7s   ( 30) 02:00:00:00:03:00 [  wlan0]\n";
  const auto direct = attempt_check(f.topology, f.plan, f.scenario.checks[1], f.runner());
  EXPECT_FALSE(direct.passed);
  EXPECT_NE(direct.detail.find("next hop n3"), std::string::npos);
}

TEST(Checks, NeighborsEqualTheLinks) {
  Fixture f;
  f.replies[{0, "batctl n"}] = neighbors_of({"02:00:00:00:02:00"});
  f.replies[{1, "batctl n"}] = neighbors_of({"02:00:00:00:01:00", "02:00:00:00:03:00"});
  f.replies[{2, "batctl n"}] = neighbors_of({"02:00:00:00:02:00"});
  EXPECT_TRUE(attempt_check(f.topology, f.plan, f.scenario.checks[2], f.runner()).passed);
  f.replies[{0, "batctl n"}] = neighbors_of({"02:00:00:00:02:00", "02:00:00:00:03:00"});
  const auto extra = attempt_check(f.topology, f.plan, f.scenario.checks[2], f.runner());
  EXPECT_FALSE(extra.passed);
  EXPECT_NE(extra.detail.find("n1 has n2,n3 (want n2)"), std::string::npos) << extra.detail;
}

TEST(Checks, IperfMinimumThroughput) {
  Fixture f;
  f.replies[{1, "iperf3 -s"}] = "";
  f.replies[{0, "iperf3 -c"}] = R"({"end":{"sum_received":{"bits_per_second":6.0e6}}})";
  EXPECT_TRUE(attempt_check(f.topology, f.plan, f.scenario.checks[3], f.runner()).passed);
  f.replies[{0, "iperf3 -c"}] = R"({"end":{"sum_received":{"bits_per_second":4.0e6}}})";
  EXPECT_FALSE(attempt_check(f.topology, f.plan, f.scenario.checks[3], f.runner()).passed);
}

TEST(Checks, ChecksOnNodesNotStartedAreSkipped) {
  Fixture f;
  PlanInputs in;
  in.node_count = 2;
  in.ssh_ports = {1, 2};
  const auto two = plan_run(f.scenario, in);
  const auto outcome = run_check(f.topology, two, f.scenario.checks[0], f.runner(), 1000);
  EXPECT_TRUE(outcome.skipped);
  EXPECT_TRUE(f.seen.empty());
}

TEST(Checks, SshFailureIsAFailedAttemptNotACrash) {
  Fixture f;
  const RunOnNode broken = [](medium::NodeId, const std::string&, int) -> SshResult {
    throw SshError("ssh root@127.0.0.1:1: connect: refused");
  };
  const auto outcome = run_check(f.topology, f.plan, f.scenario.checks[1], broken, 1000);
  EXPECT_FALSE(outcome.passed);
  EXPECT_NE(outcome.detail.find("refused"), std::string::npos);
}

TEST(PingCheck, UnreachableAndRoundTripBounds) {
  Fixture f;
  Check check = f.scenario.checks[0];
  check.min_loss_prob = 1.0;
  check.max_loss_prob = 1.0;
  f.replies[{0, "ping"}] = "4 packets transmitted, 0 packets received, 100% packet loss\n";
  EXPECT_TRUE(attempt_check(f.topology, f.plan, check, f.runner()).passed)
      << "unreachable as expected";
  f.replies[{0, "ping"}] =
      "4 packets transmitted, 4 packets received, 0% packet loss\nround-trip min/avg/max = 1/2/3 "
      "ms\n";
  EXPECT_FALSE(attempt_check(f.topology, f.plan, check, f.runner()).passed)
      << "reachable but should not be";

  Check rtt = f.scenario.checks[0];
  rtt.min_rtt_ms = 100;
  rtt.max_rtt_ms = 150;
  f.replies[{0, "ping"}] =
      "4 packets transmitted, 4 packets received, 0% packet loss\nround-trip min/avg/max = "
      "101/110.5/130 ms\n";
  auto outcome = attempt_check(f.topology, f.plan, rtt, f.runner());
  EXPECT_TRUE(outcome.passed) << outcome.detail;
  EXPECT_NE(outcome.detail.find("rtt avg 110.5 ms (allowed 100-150 ms)"), std::string::npos)
      << outcome.detail;
  f.replies[{0, "ping"}] =
      "4 packets transmitted, 4 packets received, 0% packet loss\nrtt min/avg/max/mdev = "
      "1.0/2.0/3.0/0.5 ms\n";
  outcome = attempt_check(f.topology, f.plan, rtt, f.runner());
  EXPECT_FALSE(outcome.passed) << "a 2 ms round trip passed a 100-150 ms bound";
}

}  // namespace
}  // namespace vmesh::launcher
