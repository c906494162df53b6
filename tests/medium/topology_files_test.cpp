// Every file in topologies/ loads, and the example files say what their comments say.
#include <gtest/gtest.h>

#include <filesystem>

#include "medium/medium.hpp"
#include "medium/topology_parser.hpp"

namespace vmesh::medium {
namespace {

const std::filesystem::path kDir = VMESH_TOPOLOGIES_DIR;

TEST(TopologyFiles, EveryFileLoads) {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kDir)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    EXPECT_NO_THROW({
      try {
        const Topology topology = load_topology_file(entry.path());
        EXPECT_FALSE(topology.nodes.empty()) << entry.path();
        EXPECT_FALSE(topology.meta.name.empty()) << entry.path();
      } catch (const TopologyError& error) {
        ADD_FAILURE() << error.what();
        throw;
      }
    }) << entry.path();
  }
  EXPECT_GE(files, 7);  // four examples and the scenarios
}

TEST(TopologyFiles, Line3HasDeafEnds) {
  const Topology topology = load_topology_file(kDir / "line3.toml");
  ASSERT_EQ(topology.nodes.size(), 3U);
  const Medium medium(topology, topology.meta.seed);
  EXPECT_TRUE(medium.hears(0, 1));
  EXPECT_TRUE(medium.hears(1, 2));
  EXPECT_FALSE(medium.hears(0, 2));
  EXPECT_FALSE(medium.hears(2, 0));
}

TEST(TopologyFiles, Mesh5PartialLinkFailsAtThirtySeconds) {
  const Topology topology = load_topology_file(kDir / "mesh5-partial.toml");
  ASSERT_EQ(topology.nodes.size(), 5U);
  Medium medium(topology, topology.meta.seed);
  const NodeId n2 = *topology.find_node("n2");
  const NodeId n3 = *topology.find_node("n3");
  const NodeId n4 = *topology.find_node("n4");
  EXPECT_DOUBLE_EQ(medium.link_params(n2, n4).loss_prob, 0.2);  // asymmetric
  EXPECT_DOUBLE_EQ(medium.link_params(n4, n2).loss_prob, 0.0);
  EXPECT_EQ(medium.next_event_us(), 30'000'000U);
  medium.advance_to(29'999'999);
  EXPECT_TRUE(medium.hears(n2, n3));
  medium.advance_to(30'000'000);
  EXPECT_FALSE(medium.hears(n2, n3));
  EXPECT_FALSE(medium.hears(n3, n2));
}

}  // namespace
}  // namespace vmesh::medium
