// Boot admission (how many VMs boot at once) and the progress line of a large mesh.
#include "launcher/plan/boot_admission.hpp"

#include <gtest/gtest.h>

#include "launcher/run/progress.hpp"

namespace vmesh::launcher {
namespace {

TEST(BootAdmission, FourPerCpuUnlessToldBoundedByTheNodes) {
  EXPECT_EQ(boots_at_once(std::nullopt, 2, 20), 8u);
  EXPECT_EQ(boots_at_once(std::nullopt, 2, 3), 3u);
  EXPECT_EQ(boots_at_once(std::nullopt, 0, 20), 4u);  // an unreadable CPU count: one CPU
  EXPECT_EQ(boots_at_once(7, 2, 20), 7u);
  EXPECT_EQ(boots_at_once(30, 2, 20), 20u);
  EXPECT_EQ(boots_at_once(0, 2, 20), 1u);
  EXPECT_GE(usable_cpus(), 1u);
}

TEST(Progress, SmallMeshNamesEveryNodeLargeMeshCountsStages) {
  Progress small(false, {"n1", "n2"});
  small.set(1, NodeStage::ssh);
  EXPECT_EQ(small.status_line(), "n1: waiting  n2: ssh");
  std::vector<std::string> names;
  for (int i = 1; i <= 20; ++i) names.push_back("n" + std::to_string(i));
  Progress large(false, names);
  for (std::size_t i = 0; i < 4; ++i) large.set(i, NodeStage::booting);
  for (std::size_t i = 4; i < 10; ++i) large.set(i, NodeStage::mesh);
  large.set(10, NodeStage::failed);
  EXPECT_EQ(large.status_line(), "20 nodes: 1 FAILED  9 waiting  4 booting  6 mesh");
  large.heartbeat();  // not on a terminal: at most one line per interval, none this early
}

}  // namespace
}  // namespace vmesh::launcher
