// Every file in topologies/ loads as a whole (the launcher's sections too), and line3's
// checks are the ones its comments describe.
#include <gtest/gtest.h>

#include <filesystem>

#include "launcher/scenario/scenario_parser.hpp"

namespace vmesh::launcher {
namespace {

const std::filesystem::path kDir = VMESH_TOPOLOGIES_DIR;

TEST(ScenarioFiles, EveryFileLoads) {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kDir)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    try {
      const Scenario scenario = load_scenario_file(entry.path());
      EXPECT_EQ(scenario.nodes.size(), scenario.topology.nodes.size()) << entry.path();
    } catch (const medium::TopologyError& error) {
      ADD_FAILURE() << error.what();
    }
  }
  EXPECT_GE(files, 7);  // four examples and the scenarios
}

TEST(ScenarioFiles, Line3HasItsChecks) {
  const Scenario scenario = load_scenario_file(kDir / "line3.toml");
  const auto& checks = scenario.checks;
  ASSERT_EQ(checks.size(), 3U);
  EXPECT_EQ(checks[0].kind, CheckKind::ping);
  EXPECT_EQ(checks[0].from, 0);
  EXPECT_EQ(checks[0].to, 2);
  EXPECT_EQ(checks[1].kind, CheckKind::route);
  EXPECT_EQ(checks[1].via, 1);
  EXPECT_EQ(checks[2].kind, CheckKind::neighbors);
}

}  // namespace
}  // namespace vmesh::launcher
