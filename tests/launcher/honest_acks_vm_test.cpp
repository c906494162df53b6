// Honest ACKs end to end under real QEMU guests: the same lossy link with acks = "always"
// (vwifi's behaviour: every frame acknowledged by its own agent) and acks = "medium" (the
// relay's verdict reaches mac80211_hwsim). With the medium deciding, the guest's radio
// retries lost unicast frames (station dump: tx retries grow) and TCP over the link sees
// far less loss, so it carries more. Skips with the reason when QEMU or the image is missing.
#include <fstream>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/launcher/vmesh_test_support.hpp"

namespace vmesh::launcher::test {
namespace {

using std::chrono::seconds;

std::string lossy_pair(const std::string& acks) {
  return R"([meta]
name = "acks-)" +
         acks + R"("
seed = 5
[medium]
default = "none"
channel = 1
acks = ")" +
         acks + R"("
[[node]]
name = "a"
[[node]]
name = "b"
[[link]]
nodes = ["a", "b"]
loss = 0.2
)";
}

struct StationCounters {
  std::uint64_t tx_packets = 0;
  std::uint64_t tx_retries = 0;
  std::uint64_t tx_failed = 0;
};

// Sums the counters of every station in `iw dev wlan0 station dump`.
StationCounters parse_station_dump(const std::string& text) {
  StationCounters c;
  const auto sum = [&](const char* key, std::uint64_t& into) {
    const std::regex re(std::string("\\s") + key + ":\\s+([0-9]+)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
         ++it) {
      into += std::stoull((*it)[1]);
    }
  };
  sum("tx packets", c.tx_packets);
  sum("tx retries", c.tx_retries);
  sum("tx failed", c.tx_failed);
  return c;
}

// The number at `path` in iperf3's JSON report, or -1 when the report lacks it (an
// iperf3 error report, truncated output).
double number_at(const std::string& text, std::initializer_list<const char*> path) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  const nlohmann::json* at = &json;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return -1;
    at = &(*at)[key];
  }
  return at->is_number() ? at->get<double>() : -1;
}

struct LinkRun {
  double tcp_mbps = 0;
  // Around a UDP run on the voice access category, which mac80211 does not aggregate:
  // the status of each frame carries its rates, so station dumps count the retries.
  StationCounters before;
  StationCounters after;
  double udp_loss_pct = -1;
};

class HonestAcksVm : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v qemu-system-x86_64 >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "qemu-system-x86_64 is not installed";
    }
    env_ = {"XDG_RUNTIME_DIR=" + (dir_.path / "runtime").string(),
            "VIRTUAL_MESH_MAX_NODES=", "VIRTUAL_MESH_NODES=", "VIRTUAL_MESH_IMAGE="};
  }
  void TearDown() override {
    if (HasFailure()) {
      dir_.keep = true;
      std::cerr << "kept " << dir_.path << "\n";
    }
  }
  VmeshResult run(const std::vector<std::string>& args) {
    return run_vmesh(args, env_, dir_.path, seconds(400));
  }
  std::string ssh(const std::string& name, const std::string& node, const std::string& command) {
    const auto r = run({"ssh", node, "--name", name, "--", command});
    EXPECT_EQ(r.exit_code, 0) << command << ":\n" << r.out << r.err;
    return r.out;
  }

  // Boots the pair with `acks`, runs TCP a -> b over the lossy link, stops it.
  LinkRun measure(const std::string& acks, std::string& skip) {
    const auto topology = dir_.path / ("acks-" + acks + ".toml");
    std::ofstream(topology) << lossy_pair(acks);
    const std::string name = "acks-" + acks;
    const auto up = run({"up", topology.string(), "--name", name});
    if (up.err.find("build-image.sh failed") != std::string::npos) {
      skip = "the guest image cannot be built here:\n" + up.err;
      return {};
    }
    EXPECT_EQ(up.exit_code, 0) << up.out << up.err;
    // Whatever happens below (a failed expectation, an exception), the VMs go down.
    struct Down {
      HonestAcksVm* test;
      std::string name;
      ~Down() { test->run({"down", "--name", name}); }
    } down{this, name};
    LinkRun result;
    if (up.exit_code == 0) {
      ssh(name, "b", "iperf3 -s -D -1");
      const std::string tcp = ssh(name, "a", "sleep 1; iperf3 -c 10.13.0.2 -t 8 -J");
      result.tcp_mbps = number_at(tcp, {"end", "sum_received", "bits_per_second"}) / 1e6;
      EXPECT_GE(result.tcp_mbps, 0) << "no TCP result:\n" << tcp;
      result.before = parse_station_dump(ssh(name, "a", "iw dev wlan0 station dump"));
      ssh(name, "b", "iperf3 -s -D -1");
      // DSCP 48 (TOS 0xc0): batman-adv carries it as priority 6, the voice queue.
      const std::string udp =
          ssh(name, "a", "sleep 1; iperf3 -u -b 2M -l 1000 -S 0xc0 -c 10.13.0.2 -t 4 -J");
      result.udp_loss_pct = number_at(udp, {"end", "sum", "lost_percent"});
      EXPECT_GE(result.udp_loss_pct, 0) << "no UDP result:\n" << udp;
      result.after = parse_station_dump(ssh(name, "a", "iw dev wlan0 station dump"));
    }
    return result;
  }

  ScratchDir dir_{"acks"};
  std::vector<std::string> env_;
};

TEST(StationDump, SumsCountersOfEveryStation) {
  const auto c = parse_station_dump(
      "Station 02:00:00:00:02:00 (on wlan0)\n\ttx packets:\t120\n\ttx retries:\t30\n"
      "\ttx failed:\t2\nStation 02:00:00:00:03:00 (on wlan0)\n\ttx packets:\t5\n"
      "\ttx retries:\t1\n\ttx failed:\t0\n");
  EXPECT_EQ(c.tx_packets, 125u);
  EXPECT_EQ(c.tx_retries, 31u);
  EXPECT_EQ(c.tx_failed, 2u);
}

TEST_F(HonestAcksVm, MediumAcksMakeTheGuestRetryAndCarryMoreTcpOverALossyLink) {
  std::string skip;
  const LinkRun always = measure("always", skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  const LinkRun medium = measure("medium", skip);
  const auto retries = [](const LinkRun& r) { return r.after.tx_retries - r.before.tx_retries; };
  const auto packets = [](const LinkRun& r) { return r.after.tx_packets - r.before.tx_packets; };
  const auto report = [&](const char* mode, const LinkRun& r) {
    std::cerr << "acks=" << mode << ": TCP " << r.tcp_mbps << " Mbit/s; voice UDP " << packets(r)
              << " frames, " << retries(r) << " retries, " << r.after.tx_failed - r.before.tx_failed
              << " failed, " << r.udp_loss_pct << " % lost\n";
  };
  report("always", always);
  report("medium", medium);

  ASSERT_GT(packets(always), 100u) << "the UDP run sent nothing";
  ASSERT_GT(packets(medium), 100u) << "the UDP run sent nothing";
  EXPECT_EQ(retries(always), 0u) << "every frame is acknowledged at once: no retries";
  // 20 % loss per attempt: about a quarter as many retries as frames.
  EXPECT_GT(retries(medium), packets(medium) / 10) << "the guest did not retry lost frames";
  EXPECT_LT(medium.udp_loss_pct, always.udp_loss_pct) << "retries should hide most of the loss";
  EXPECT_GT(medium.tcp_mbps, 2 * always.tcp_mbps)
      << "retries should hide most of the loss from TCP";
}

}  // namespace
}  // namespace vmesh::launcher::test
