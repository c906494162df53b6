// The vhost-user transport end to end: no agent in the guests, mac80211_hwsim's virtio device
// served by vmesh-relay through QEMU >= 10.2 (the host's, or the cached Debian 13 one). Skips
// with the reason when that QEMU cannot be had or the relay lacks the transport.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/launcher/vmesh_test_support.hpp"
#include "tests/launcher/vmesh_vm_fixture.hpp"

namespace vmesh::launcher::test {
namespace {

const char* kPair = R"(
[meta]
name = "vhost-pair"
[medium]
default = "all"
transport = "vhost-user"
[[node]]
name = "n1"
[[node]]
name = "n2"
)";

class VhostUserVm : public VmeshVmFixture {
 protected:
  VhostUserVm() : VmeshVmFixture("vhost-user-vm") {}
  void TearDown() override {
    if (started_up_) {
      EXPECT_EQ(run({"down", "--name", "vhost"}).exit_code, 0);
    }
    VmeshVmFixture::TearDown();
  }
  // Why this run could not test the transport here, or empty.
  static std::string unavailable(const VmeshResult& result) {
    if (result.err.find("cached Debian 13 QEMU could not be built") != std::string::npos)
      return "no QEMU >= 10.2 here:\n" + result.err;
    if (result.err.find("vmesh-relay exited") != std::string::npos &&
        result.err.find("vhost-user") != std::string::npos)
      return "this vmesh-relay has no vhost-user transport:\n" + result.err;
    return {};
  }
  VmeshResult vmesh(const std::vector<std::string>& args) {
    auto result = run(args);
    if (skip_reason_.empty()) skip_reason_ = unavailable(result);
    return result;
  }
  // A shell command on one node of the run started by up (`vmesh ssh`, one word).
  VmeshResult on(const std::string& node, const std::string& command) {
    return run({"ssh", node, "--name", "vhost", "--", command});
  }
  bool started_up_ = false;  // a run named "vhost" was started by `vmesh up`
};

TEST_F(VhostUserVm, PairMeshesAndPingsWithoutAnAgent) {
  const auto topology = write("pair.toml", kPair);
  // Mesh formed (routes, a ping each way) is what `run` waits for; the command then checks
  // that no guest runs vmesh-agent, that a run this small keeps the guests' tick (nohz=off,
  // for latency) and pings once more.
  const auto result = vmesh(
      {"run", topology.string(), "--", "sh", "-c",
       "\"$VMESH_BIN\" exec --all --name \"$VMESH_RUN\" -- '! pidof vmesh-agent' && "
       "\"$VMESH_BIN\" exec --all --name \"$VMESH_RUN\" -- 'grep -qw nohz=off /proc/cmdline' && "
       "\"$VMESH_BIN\" ssh n1 --name \"$VMESH_RUN\" -- ping -c 3 -W 2 10.13.0.2"});
  if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.err.find("vhost-user: "), std::string::npos) << result.err;
}

TEST_F(VhostUserVm, Line3PassesItsChecks) {
  const auto result =
      vmesh({"run", VMESH_TOPOLOGIES_DIR "/line3.toml", "--relay-transport", "vhost-user"});
  if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST_F(VhostUserVm, KilledNodeAndRestartedRelayLeaveTheMeshFlowing) {
  const auto up = vmesh({"up", VMESH_TOPOLOGIES_DIR "/full3.toml", "--name", "vhost",
                         "--relay-transport", "vhost-user"});
  if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  started_up_ = true;  // stopped by TearDown whatever happens below
  const auto kill = run({"node", "kill", "n2", "--name", "vhost"});
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_EQ(on("n1", "ping -c 3 -W 2 10.13.0.3").exit_code, 0);
  EXPECT_EQ(on("n3", "ping -c 3 -W 2 10.13.0.1").exit_code, 0);
  const auto status = run({"status", "--name", "vhost", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(nlohmann::json::parse(status.out).at("relay").at("running").get<bool>())
      << status.out;
  const auto start = run({"node", "start", "n2", "--name", "vhost"});
  EXPECT_EQ(start.exit_code, 0) << start.out << start.err;
  // batman-adv needs a few OGM intervals to route to the node again.
  bool pinged = false;
  for (int attempt = 0; attempt < 30 && !pinged; ++attempt)
    pinged = on("n1", "ping -c 1 -W 2 10.13.0.2").exit_code == 0;
  EXPECT_TRUE(pinged) << "n1 never reached n2 after it booted again";

  // `vmesh relay restart`: the old relay hands the live front ends to a new one, since
  // QEMU never connects again; no guest notices more than a short outage.
  const auto before = run({"status", "--name", "vhost", "--json"});
  const auto restart = run({"relay", "restart", "--name", "vhost", "--json"});
  ASSERT_EQ(restart.exit_code, 0) << restart.out << restart.err;
  EXPECT_TRUE(nlohmann::json::parse(restart.out).at("all_reconnected").get<bool>()) << restart.out;
  const auto after = run({"status", "--name", "vhost", "--json"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  const auto relay_after = nlohmann::json::parse(after.out).at("relay");
  EXPECT_TRUE(relay_after.at("running").get<bool>()) << after.out;
  EXPECT_NE(relay_after.at("pid"), nlohmann::json::parse(before.out).at("relay").at("pid"));
  pinged = false;
  for (int attempt = 0; attempt < 15 && !pinged; ++attempt)
    pinged = on("n1", "ping -c 1 -W 2 10.13.0.3").exit_code == 0;
  EXPECT_TRUE(pinged) << "n1 never reached n3 after the relay restart";
  EXPECT_EQ(on("n2", "ping -c 3 -W 2 10.13.0.1").exit_code, 0);
}

TEST_F(VhostUserVm, TimelineRelayRestartHandsTheFrontEndsOver) {
  // relay-restart.toml restarts the relay at 40 s and checks that no VM rebooted and that
  // n1 reaches n3 across two hops again.
  const auto result = vmesh({"run", VMESH_TOPOLOGIES_DIR "/scenarios/relay-restart.toml",
                             "--relay-transport", "vhost-user"});
  if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

}  // namespace
}  // namespace vmesh::launcher::test
