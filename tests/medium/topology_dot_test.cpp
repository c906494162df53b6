#include "medium/topology_dot.hpp"

#include <gtest/gtest.h>

#include "medium/topology_parser.hpp"

namespace vmesh::medium {
namespace {

const char* kAsymmetric = R"(
[meta]
name = "pair"
[medium]
default = "none"
[[node]]
name = "a"
[[node]]
name = "b"
[[node]]
name = "c"
[[link]]
nodes = ["a", "b"]
loss = 0.1
delay = "2ms"
[[link]]
from = "b"
to = "c"
rate = "2mbps"
)";

TEST(TopologyDot, SymmetricPairsAreOneEdgeOneWayLinksArrows) {
  const std::string dot = topology_to_dot(parse_topology(kAsymmetric, "pair.toml"));
  EXPECT_NE(dot.find(R"("a" -- "b" [label="loss 10%, 2ms"])"), std::string::npos) << dot;
  EXPECT_NE(dot.find(R"("b" -- "c" [dir=forward, label="2Mbps"])"), std::string::npos) << dot;
  EXPECT_EQ(dot.find(R"("c" -- "b")"), std::string::npos) << dot;
  EXPECT_EQ(dot.find(R"("a" -- "c")"), std::string::npos) << "deaf pair drawn: " << dot;
}

TEST(TopologyDot, MeasuredRatiosFromRelayStats) {
  const auto measured = parse_relay_stats(
      R"({"links":[{"from":"a","to":"b","sent":200,"delivered":180,"mean_delay_us":2000,"dropped":{"loss":20}}],"unbound_frames":0})");
  ASSERT_EQ(measured.size(), 1u);
  EXPECT_EQ(measured.at({"a", "b"}).delivered, 180u);
  const std::string dot = topology_to_dot(parse_topology(kAsymmetric, "pair.toml"), measured);
  EXPECT_NE(dot.find("90% of 200"), std::string::npos) << dot;
}

}  // namespace
}  // namespace vmesh::medium
