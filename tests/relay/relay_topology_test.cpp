// The topology medium inside the real relay: who hears whom, delays, timeline events,
// runtime link changes and counters, with clients playing nodes by their MAC prefix.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "base/wire/hwsim_message.hpp"
#include "relay_process.hpp"
#include "test_peer.hpp"
#include "topology_fixture.hpp"

namespace vmesh::test {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

TEST(RelayTopology, Line3EndsNeverHearEachOtherMiddleHearsBoth) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  auto peers = join_nodes(relay, 3);
  for (std::uint32_t seq = 1; seq <= 20; ++seq) {
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
    peers[2].send_bytes(make_frame(3, 10, broadcast_frame(3, seq)));
  }
  int at_n2 = 0;
  while (peers[1].receive(300)) ++at_n2;
  EXPECT_EQ(at_n2, 40) << "n2 must hear all of n1 and n3";
  EXPECT_FALSE(peers[0].receive(100)) << "n1 heard n3";
  EXPECT_FALSE(peers[2].receive(100)) << "n3 heard n1";
  EXPECT_NE(relay.log().find("bound to node n1 by transmitter 42:00:00:00:01:00"),
            std::string::npos)
      << relay.log();
}

TEST(RelayTopology, DelayedLinkDeliversNoEarlier) {
  TopologyFile topo(std::string(kLine3) +
                    "[[link]]\nfrom = \"n1\"\nto = \"n2\"\ndelay = \"20ms\"\n");
  RelayProcess relay({"--topology", topo.path()});
  auto peers = join_nodes(relay, 3);
  for (std::uint32_t seq = 1; seq <= 5; ++seq) {
    const auto sent = Clock::now();
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
    ASSERT_TRUE(peers[1].receive(2000));
    const auto elapsed_us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent).count();
    EXPECT_GE(elapsed_us, 20'000) << "a 20 ms link delivered early";
    EXPECT_LT(elapsed_us, 500'000);
  }
  // The reverse direction keeps no delay beyond the default.
  const auto sent = Clock::now();
  peers[1].send_bytes(make_frame(2, 10, broadcast_frame(2, 9)));
  ASSERT_TRUE(peers[0].receive(2000));
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent).count(), 20);
}

TEST(RelayTopology, LinkDownEventStopsDeliveryOnTime) {
  TopologyFile topo(std::string(kLine3) +
                    "[[event]]\nat = \"1s\"\naction = \"link_down\"\nnodes = [\"n1\", \"n2\"]\n");
  RelayProcess relay({"--topology", topo.path()});
  // The relay's clock starts just before it writes its ports file, which the constructor
  // waited for: t0 trails the relay's t = 0 by at most a couple of milliseconds.
  const auto t0 = Clock::now();
  auto peers = join_nodes(relay, 3);
  std::atomic<bool> done{false};
  std::vector<std::int64_t> arrivals_ms;
  std::thread reader([&] {
    while (!done) {
      if (peers[1].receive(20)) {
        arrivals_ms.push_back(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
      }
    }
  });
  for (std::uint32_t seq = 1; Clock::now() - t0 < std::chrono::milliseconds(1500); ++seq) {
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  done = true;
  reader.join();
  ASSERT_FALSE(arrivals_ms.empty());
  EXPECT_GT(arrivals_ms.back(), 900) << "delivery stopped too early";
  EXPECT_LT(arrivals_ms.back(), 1030) << "delivery went on after link_down at 1 s";
}

TEST(RelayTopology, TimelineStartContinuesARestartedRunsTimeline) {
  // link_down at 10 s and link_up at 60 min: a relay started at t = 20 s has the link down at
  // once and keeps it down.
  TopologyFile topo(std::string(kLine3) +
                    "[[event]]\nat = \"10s\"\naction = \"link_down\"\nnodes = [\"n1\", \"n2\"]\n"
                    "[[event]]\nat = \"60min\"\naction = \"link_up\"\nnodes = [\"n1\", \"n2\"]\n");
  RelayProcess relay({"--topology", topo.path(), "--timeline-start-ms", "20000"});
  auto peers = join_nodes(relay, 3);
  for (std::uint32_t seq = 1; seq <= 20; ++seq) {
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
    peers[2].send_bytes(make_frame(3, 10, broadcast_frame(3, seq)));
  }
  int from_n3 = 0;
  while (auto frame = peers[1].receive(300)) {
    EXPECT_EQ(vmesh::wire::read_frame_routing(*frame).transmitter->to_string(), "42:00:00:00:03:00")
        << "n1 -> n2 carried a frame after link_down";
    ++from_n3;
  }
  EXPECT_EQ(from_n3, 20) << "n3 -> n2 is untouched";
}

// kLine3 with a timeline that waits for `timeline start`.
std::string line3_waiting_timeline() {
  std::string text = kLine3;
  const std::string seed = "seed = 1\n";
  text.replace(text.find(seed), seed.size(), seed + "timeline_start = \"ready\"\n");
  return text;
}

// Frames n1 sends that n2 receives within a short wait.
int carried_n1_to_n2(std::vector<TestPeer>& peers, std::uint32_t first_seq) {
  for (std::uint32_t seq = first_seq; seq < first_seq + 5; ++seq)
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
  int received = 0;
  while (peers[1].receive(200)) ++received;
  return received;
}

TEST(RelayTopology, TimelineThatWaitsForTheNodesStartsOnCommand) {
  // link_down at 300 ms of a timeline that starts when the launcher says every node is ready.
  TopologyFile topo(
      line3_waiting_timeline() +
      "[[event]]\nat = \"300ms\"\naction = \"link_down\"\nnodes = [\"n1\", \"n2\"]\n");
  RelayProcess relay({"--topology", topo.path()});
  auto peers = join_nodes(relay, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(carried_n1_to_n2(peers, 1), 5) << "the event fired before the timeline started";

  EXPECT_EQ(command_exchange(relay.control_socket(), "timeline start\n"), "ok\n");
  const auto again = command_exchange(relay.control_socket(), "timeline start\n");
  EXPECT_TRUE(again.starts_with("error: the timeline runs already")) << again;
  EXPECT_EQ(carried_n1_to_n2(peers, 10), 5) << "t = 0 of the timeline is the command, not 0";
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(carried_n1_to_n2(peers, 20), 0) << "link_down at 300 ms after the start did not fire";
  EXPECT_NE(relay.log().find("control: timeline started at medium t = "), std::string::npos)
      << relay.log();
}

TEST(RelayTopology, RestartedRelayContinuesATimelineThatWaitedForTheNodes) {
  TopologyFile topo(line3_waiting_timeline() +
                    "[[event]]\nat = \"10s\"\naction = \"link_down\"\nnodes = [\"n1\", \"n2\"]\n");
  RelayProcess relay({"--topology", topo.path(), "--timeline-start-ms", "20000"});
  auto peers = join_nodes(relay, 3);
  EXPECT_EQ(carried_n1_to_n2(peers, 1), 0) << "a restart at t = 20 s must have the link down";
}

TEST(RelayTopology, RuntimeSetLinkAppliesWithoutReconnect) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  auto peers = join_nodes(relay, 3);
  const std::string ok = "ok\n";
  EXPECT_EQ(command_exchange(relay.control_socket(), "link set n1 n2 loss=1\n"), ok);
  for (std::uint32_t seq = 1; seq <= 10; ++seq)
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
  EXPECT_FALSE(peers[1].receive(300)) << "loss=1 let a frame through";
  command_exchange(relay.control_socket(), "link set n1 n2 loss=0\n");
  peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, 99)));
  const auto got = peers[1].receive(2000);
  ASSERT_TRUE(got) << "restored link delivers nothing";
  EXPECT_EQ(seq_of(*got), 99u);

  EXPECT_EQ(command_exchange(relay.control_socket(), "link set n1 n9 loss=0\n"),
            "error: unknown node 'n9'\n");
  EXPECT_EQ(relay.log().find("disconnect client"), std::string::npos) << "a client was reconnected";
}

// A counter of the stats JSON: field "from"->"to" key, or a drop reason under "dropped".
long stat(const std::string& json, const std::string& from, const std::string& to,
          const std::string& key) {
  const std::regex re("\\{\"from\":\"" + from + "\",\"to\":\"" + to + "\"[^\\]]*?\"" + key +
                      "\":([0-9]+)");
  std::smatch m;
  return std::regex_search(json, m, re) ? std::stol(m[1]) : 0;
}

std::string stats(const RelayProcess& relay) {
  return command_exchange(relay.control_socket(), "stats\n");
}

TEST(RelayTopology, CountersMatchWhatClientsSaw) {
  TopologyFile topo(std::string(kLine3) + "[[link]]\nfrom = \"n2\"\nto = \"n3\"\nloss = 0.5\n");
  RelayProcess relay({"--topology", topo.path(), "--seed", "7"});
  auto peers = join_nodes(relay, 3);
  const std::string before = stats(relay);
  for (std::uint32_t seq = 1; seq <= 200; ++seq)
    peers[1].send_bytes(make_frame(2, 10, broadcast_frame(2, seq)));
  long at_n1 = 0, at_n3 = 0;
  while (peers[0].receive(300)) ++at_n1;
  while (peers[2].receive(300)) ++at_n3;
  EXPECT_EQ(at_n1, 200);
  EXPECT_GT(at_n3, 50);
  EXPECT_LT(at_n3, 150);

  const std::string after = stats(relay);
  auto delta = [&](const char* from, const char* to, const char* key) {
    return stat(after, from, to, key) - stat(before, from, to, key);
  };
  EXPECT_EQ(delta("n2", "n1", "sent"), 200) << after;
  EXPECT_EQ(delta("n2", "n1", "delivered"), at_n1) << after;
  EXPECT_EQ(delta("n2", "n3", "sent"), 200) << after;
  EXPECT_EQ(delta("n2", "n3", "delivered"), at_n3) << after;
  EXPECT_EQ(delta("n2", "n3", "loss"), 200 - at_n3) << after;
  EXPECT_EQ(stat(after, "n1", "n3", "sent"), 0) << "n1 and n3 share no link";
}

TEST(RelayTopology, StatsFileIsWrittenOnExit) {
  TopologyFile topo(kLine3);
  const std::string stats_path = topo.path() + ".stats.json";
  {
    RelayProcess relay({"--topology", topo.path(), "--stats-file", stats_path});
    auto peers = join_nodes(relay, 3);
    for (std::uint32_t seq = 1; seq <= 10; ++seq)
      peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
    int got = 0;
    while (peers[1].receive(300)) ++got;
    EXPECT_EQ(got, 10);
    EXPECT_EQ(relay.stop(), 0);
  }
  std::string json(4096, '\0');
  FILE* f = std::fopen(stats_path.c_str(), "r");
  ASSERT_NE(f, nullptr) << "no stats file";
  json.resize(std::fread(json.data(), 1, json.size(), f));
  std::fclose(f);
  std::remove(stats_path.c_str());
  // n1's binding frame found n2 not yet bound: the 10 frames after it were delivered.
  EXPECT_EQ(stat(json, "n1", "n2", "delivered"), 10) << json;
  EXPECT_EQ(stat(json, "n1", "n3", "deaf"), 11) << json;
}

TEST(RelayTopology, UnknownSenderIsReportedNotMerged) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  TestPeer stranger(relay.tcp_port, "127.0.0.30");
  TestPeer n2(relay.tcp_port, "127.0.0.12");
  relay.wait_for_peers(2);
  n2.send_bytes(make_frame(2, 10, broadcast_frame(2, 0)));
  stranger.send_bytes(make_frame(9, 10, broadcast_frame(9, 1)));
  EXPECT_FALSE(n2.receive(300)) << "a frame from a sender outside the topology was delivered";
  EXPECT_NE(relay.log().find("transmitter 42:00:00:00:09:00 matches no node"), std::string::npos)
      << relay.log();
}

TEST(RelayTopology, ReloadAppliesWithoutReconnect) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  auto peers = join_nodes(relay, 3);
  TopologyFile full(std::string(kLine3) + "[[link]]\nnodes = [\"n1\", \"n3\"]\n");
  EXPECT_EQ(command_exchange(relay.control_socket(), "reload " + full.path() + "\n"),
            "n1->n3: link added\nn3->n1: link added\nok\n");
  peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, 5)));
  EXPECT_TRUE(peers[2].receive(2000)) << "n3 does not hear n1 after the reload";

  TopologyFile broken("[meta]\nname = 1\n");
  const std::string error =
      command_exchange(relay.control_socket(), "reload " + broken.path() + "\n");
  EXPECT_NE(error.find(broken.path() + ":2:"), std::string::npos) << error;
  EXPECT_EQ(relay.log().find("disconnect client"), std::string::npos);
}

TEST(RelayTopology, BrokenTopologyFailsAtStartWithLocation) {
  TopologyFile topo("[meta]\nname = \"x\"\n[[node]]\nname = \"a\"\nbogus = 1\n");
  EXPECT_THROW(RelayProcess({"--topology", topo.path()}), std::runtime_error);
  const std::string cmd =
      std::string(VMESH_RELAY_BIN) + " --check-topology " + topo.path() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[512] = {};
  const std::size_t n = std::fread(buf, 1, sizeof(buf) - 1, p);
  const int status = ::pclose(p);
  const std::string out(buf, n);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find(topo.path() + ":5:1"), std::string::npos) << out;
}

}  // namespace
}  // namespace vmesh::test
