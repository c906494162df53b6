// --stats-jsonl against the real relay: every line is JSON, the interval is honoured
// roughly, and the last line's counters equal what the clients really received.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include <unistd.h>

#include <cstdio>
#include <map>

#include "relay_process.hpp"
#include "test_peer.hpp"
#include "topology_fixture.hpp"

namespace vmesh::test {
namespace {

using nlohmann::json;

std::vector<json> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) {
    json parsed = json::parse(line, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << line;
    if (!parsed.is_discarded()) lines.push_back(std::move(parsed));
  }
  return lines;
}

// Nodes n1..n<count> that count every frame they receive from the start (bind frames of
// the others included), so the relay's counters can be compared with the whole story.
struct CountingNodes {
  std::vector<TestPeer> peers;
  std::vector<long> received;

  CountingNodes(RelayProcess& relay, int count) : received(static_cast<std::size_t>(count), 0) {
    for (int i = 1; i <= count; ++i)
      peers.emplace_back(relay.tcp_port, "127.0.0." + std::to_string(10 + i));
    relay.wait_for_peers(static_cast<std::uint32_t>(count));
    for (int i = 1; i <= count; ++i) {
      const auto node = static_cast<std::uint8_t>(i);
      peers[static_cast<std::size_t>(i - 1)].send_bytes(
          make_frame(node, 10, broadcast_frame(node, 0)));
    }
    // Every node bound before the test's traffic (frames to an unbound node are dropped).
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  void drain() {
    for (std::size_t i = 0; i < peers.size(); ++i) {
      while (peers[i].receive(300)) ++received[i];
    }
  }
};

// An empty file for the relay to append to, removed with the object.
struct StatsFile {
  std::string path;
  StatsFile() {
    char templ[] = "/tmp/vmesh-stats-XXXXXX.jsonl";
    const int fd = ::mkstemps(templ, 6);
    if (fd >= 0) ::close(fd);
    path = templ;
  }
  ~StatsFile() { std::remove(path.c_str()); }
};

TEST(RelayStatsJsonl, LastLineMatchesWhatClientsReceived) {
  TopologyFile topo(std::string(kLine3) + "[[link]]\nfrom = \"n2\"\nto = \"n3\"\nloss = 0.5\n");
  const StatsFile file;
  const std::string& path = file.path;
  RelayProcess relay({"--topology", topo.path(), "--seed", "7", "--stats-jsonl", path,
                      "--stats-interval-ms", "100"});
  CountingNodes nodes(relay, 3);
  for (std::uint32_t seq = 1; seq <= 200; ++seq)
    nodes.peers[1].send_bytes(make_frame(2, 10, broadcast_frame(2, seq)));
  for (std::uint32_t seq = 1; seq <= 30; ++seq)
    nodes.peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
  nodes.drain();
  EXPECT_EQ(relay.stop(), 0);

  const auto lines = read_lines(path);
  ASSERT_GE(lines.size(), 1u);
  const json& last = lines.back();
  EXPECT_EQ(last["medium"], "topology");
  std::map<std::string, long> delivered_to;
  std::map<std::pair<std::string, std::string>, json> links;
  for (const auto& link : last["links"]) {
    delivered_to[link["to"]] += link["delivered"].get<long>();
    links[{link["from"], link["to"]}] = link;
  }
  EXPECT_EQ(delivered_to["n1"], nodes.received[0]) << last.dump();
  EXPECT_EQ(delivered_to["n2"], nodes.received[1]) << last.dump();
  EXPECT_EQ(delivered_to["n3"], nodes.received[2]) << last.dump();
  EXPECT_EQ(nodes.received[0], 201) << "n1 hears every frame of n2 (bind frame included)";
  EXPECT_GT(nodes.received[2], 50);
  EXPECT_LT(nodes.received[2], 150);

  const json& lossy = links[std::make_pair("n2", "n3")];
  EXPECT_EQ(lossy["sent"], 201);
  EXPECT_EQ(lossy["dropped"]["loss"].get<long>() + lossy["dropped"]["unbound"].get<long>() +
                lossy["delivered"].get<long>(),
            201)
      << lossy.dump();
  // 24-byte header + 4-byte sequence number per 802.11 frame.
  EXPECT_EQ(lossy["bytes_delivered"].get<long>(), 28 * lossy["delivered"].get<long>());
  EXPECT_EQ(lossy["delay_queue_frames"], 0);
  const json& deaf = links[std::make_pair("n1", "n3")];
  EXPECT_EQ(deaf["dropped"]["deaf"], 31) << "n3 never hears n1";

  ASSERT_EQ(last["clients"].size(), 3u);
  for (const auto& client : last["clients"]) {
    const std::string node = client["node"];
    const auto index = static_cast<std::size_t>(node[1] - '1');
    EXPECT_EQ(client["frames_out"].get<long>(), nodes.received[index]) << node;
    EXPECT_EQ(client["send_queue_bytes"], 0) << node;
  }
  EXPECT_EQ(last["totals"]["clients"], 3);
}

TEST(RelayStatsJsonl, OneLinePerIntervalRoughly) {
  const StatsFile file;
  const std::string& path = file.path;
  TopologyFile topo(kLine3);
  RelayProcess relay(
      {"--topology", topo.path(), "--stats-jsonl", path, "--stats-interval-ms", "100"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  relay.stop();
  const auto lines = read_lines(path);
  // About 15 periodic lines and the final one; generous bounds for a loaded machine.
  EXPECT_GE(lines.size(), 5u);
  EXPECT_LE(lines.size(), 40u);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_NEAR(lines[i]["unix_ms"].get<double>(), static_cast<double>(now_ms), 120'000.0);
    if (i > 0) {
      EXPECT_GE(lines[i]["relay_ms"], lines[i - 1]["relay_ms"]);
    }
  }
  ASSERT_GE(lines.size(), 3u);
  EXPECT_GE(lines[1]["interval_ms"].get<long>(), 50);
  EXPECT_LE(lines[1]["interval_ms"].get<long>(), 1000);
}

TEST(RelayStatsJsonl, VwifiModeCountsPerClient) {
  const StatsFile file;
  const std::string& path = file.path;
  RelayProcess relay({"--stats-jsonl", path});
  TestPeer a(relay.tcp_port, "127.0.0.21");
  TestPeer b(relay.tcp_port, "127.0.0.22");
  relay.wait_for_peers(2);
  for (std::uint32_t seq = 0; seq < 5; ++seq)
    a.send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
  for (std::uint32_t seq = 0; seq < 3; ++seq)
    b.send_bytes(make_frame(2, 10, broadcast_frame(2, seq)));
  long at_a = 0, at_b = 0;
  while (a.receive(300)) ++at_a;
  while (b.receive(300)) ++at_b;
  ASSERT_EQ(at_a, 3);
  ASSERT_EQ(at_b, 5);
  relay.stop();
  const auto lines = read_lines(path);
  ASSERT_FALSE(lines.empty());
  const json& last = lines.back();
  EXPECT_EQ(last["medium"], "vwifi");
  EXPECT_TRUE(last["links"].empty());
  ASSERT_EQ(last["clients"].size(), 2u);
  for (const auto& client : last["clients"]) {
    EXPECT_TRUE(client["node"].is_null());
    const long in = client["frames_in"];
    EXPECT_EQ(client["frames_out"].get<long>(), in == 5 ? 3 : 5) << client.dump();
  }
  EXPECT_EQ(last["totals"]["frames_in"], 8);
  EXPECT_EQ(last["totals"]["deliveries"], 8);
}

TEST(RelayStatsJsonl, UnwritableFileAndLoneIntervalAreClearErrors) {
  try {
    RelayProcess relay({"--stats-jsonl", "/nonexistent-dir/stats.jsonl"});
    FAIL() << "relay started with an unwritable stats file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--stats-jsonl: open /nonexistent-dir/stats.jsonl"),
              std::string::npos)
        << e.what();
  }
  try {
    RelayProcess relay({"--stats-interval-ms", "500"});
    FAIL() << "relay started with --stats-interval-ms alone";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--stats-interval-ms needs --stats-jsonl"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace vmesh::test
