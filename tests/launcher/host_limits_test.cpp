// Limits a run is checked against before anything starts: guest memory, open files, ports.
#include "launcher/plan/host_limits.hpp"

#include <gtest/gtest.h>

#include "launcher/scenario/scenario_parser.hpp"

namespace vmesh::launcher {
namespace {

Scenario three_nodes() {
  return parse_scenario(
      "[[node]]\nname = \"a\"\n[[node]]\nname = \"b\"\nmemory_mb = 1024\n[[node]]\nname = "
      "\"c\"\n",
      "t.toml");
}

std::string error_of(const Scenario& scenario, std::size_t nodes, std::uint16_t base_port,
                     const HostLimits& limits) {
  try {
    check_host_limits(scenario, nodes, base_port, limits);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(HostLimits, MemoryCountsEachNodesSettingOrTheDefault) {
  const auto scenario = three_nodes();
  HostLimits limits;
  limits.mem_available_mib = 1536;  // 256 + 1024 + 256
  EXPECT_EQ(error_of(scenario, 3, 2222, limits), "");
  limits.mem_available_mib = 1535;
  const auto message = error_of(scenario, 3, 2222, limits);
  EXPECT_NE(message.find("3 nodes need 1536 MiB of guest memory (up to 1024 MiB each)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("1535 MiB available"), std::string::npos) << message;
  EXPECT_EQ(error_of(scenario, 2, 2222, limits), "");  // --nodes 2: 1280 MiB
  limits.mem_available_mib.reset();                    // unknown: not checked
  EXPECT_EQ(error_of(scenario, 3, 2222, limits), "");
}

TEST(HostLimits, OpenFilesAndPortRange) {
  const auto scenario = three_nodes();
  HostLimits limits;
  limits.open_files = kFilesBase + 3 * kFilesPerNode - 1;
  EXPECT_NE(error_of(scenario, 3, 2222, limits).find("ulimit -n"), std::string::npos);
  limits.open_files = 1024;
  EXPECT_EQ(error_of(scenario, 3, 65533, limits), "");
  EXPECT_NE(error_of(scenario, 3, 65534, limits).find("SSH ports 65534-65536"), std::string::npos);
}

TEST(HostLimits, ThisMachineIsRead) {
  const auto limits = read_host_limits();
  ASSERT_TRUE(limits.mem_available_mib);
  EXPECT_GT(*limits.mem_available_mib, 0u);
  EXPECT_GT(limits.open_files, 0u);
}

}  // namespace
}  // namespace vmesh::launcher
