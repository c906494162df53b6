// End to end against FakeFanoutRelay: real sockets, real epoll, short runs.
#include "bench/loadgen/load_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/loadgen/fake_fanout_relay.hpp"
#include "tests/loadgen/flat_json.hpp"

namespace vmesh::bench {
namespace {

using testing::FakeFanoutRelay;
using testing::FakeRelayOptions;
using testing::FlatJsonParser;

LoadConfig short_run(std::uint16_t port, LoadMode mode) {
  LoadConfig config;
  config.host = "127.0.0.1";
  config.port = port;
  config.clients = 3;
  config.mode = mode;
  config.warmup_s = 0.2;
  config.duration_s = 0.8;
  config.drain_s = 2.0;  // ends as soon as everything sent has arrived
  config.rate_fps = 200;
  config.socket_buffer_bytes = 1 << 20;
  return config;
}

void expect_json_parses(const LoadReport& report) {
  FlatJsonParser parser(report.to_json());
  const auto parsed = parser.parse();
  ASSERT_TRUE(parsed.has_value()) << parser.error() << ": " << report.to_json();
  EXPECT_EQ(std::get<double>(parsed->at("deliveries")), static_cast<double>(report.deliveries));
}

TEST(LoadGeneratorEndToEnd, ThroughputModeAgainstLosslessFanout) {
  FakeFanoutRelay relay(FakeRelayOptions{.clients = 3});
  LoadGenerator generator(short_run(relay.port(), LoadMode::throughput));
  const LoadReport report = generator.run();

  EXPECT_EQ(report.connect_failures, 0u) << generator.connect_error();
  EXPECT_GT(report.deliveries, 0u);
  EXPECT_GT(report.frames_sent, 0u);
  EXPECT_GT(report.client_deliveries_min, 0u);
  EXPECT_LE(report.client_deliveries_min, report.client_deliveries_max);
  EXPECT_EQ(report.decode_errors, 0u);
  EXPECT_EQ(report.disconnects, 0u);
  EXPECT_EQ(report.frames_lost, 0u);
  EXPECT_EQ(report.frames_stale, 0u);
  EXPECT_EQ(report.bytes_received, report.deliveries * report.message_bytes);
  EXPECT_GT(report.latency_samples, 0u);
  EXPECT_LE(report.latency_p50_us, report.latency_p99_us);
  EXPECT_LE(report.latency_p99_us, report.latency_max_us);
  // One thread cannot use more CPU than the wall-clock window it was measured over.
  EXPECT_GT(report.generator_cpu_s, 0.0);
  EXPECT_LE(report.generator_cpu_s, report.measured_s + 0.05);
  expect_json_parses(report);

  // Default source addresses on loopback: one per client, from 127.0.0.10 up.
  auto peers = relay.peer_addresses();
  std::sort(peers.begin(), peers.end());
  EXPECT_EQ(peers, (std::vector<std::string>{"127.0.0.10", "127.0.0.11", "127.0.0.12"}));
}

TEST(LoadGeneratorEndToEnd, LatencyModeSendsAtTheRateAndMeasuresEveryDelivery) {
  FakeFanoutRelay relay(FakeRelayOptions{.clients = 3});
  LoadGenerator generator(short_run(relay.port(), LoadMode::latency));
  const LoadReport report = generator.run();

  EXPECT_EQ(report.connect_failures, 0u) << generator.connect_error();
  EXPECT_GT(report.deliveries, 0u);
  EXPECT_EQ(report.decode_errors, 0u);
  EXPECT_EQ(report.frames_lost, 0u);
  EXPECT_EQ(report.latency_samples, report.deliveries);
  EXPECT_GT(report.latency_p50_us, 0.0);
  EXPECT_LE(report.latency_p50_us, report.latency_max_us);
  // 3 clients at 200 frames/s for 0.8 s: 480 frames, each heard by 2. The loop keeps the
  // schedule (it skips rather than bursts when late), so it never sends more than that;
  // deliveries are counted by receive time, so allow frames delayed by up to 0.2 s.
  EXPECT_LE(report.frames_sent, 3u * 161u);
  EXPECT_LE(report.deliveries, 2u * (report.frames_sent + 3u * 40u));
  expect_json_parses(report);
}

TEST(LoadGeneratorEndToEnd, CountsLossesFromSequenceGaps) {
  FakeFanoutRelay relay(FakeRelayOptions{.clients = 3, .drop_every_nth = 10});
  LoadConfig config = short_run(relay.port(), LoadMode::latency);
  config.warmup_s = 0;
  LoadGenerator generator(config);
  const LoadReport report = generator.run();
  relay.stop();

  EXPECT_EQ(report.connect_failures, 0u);
  EXPECT_GT(report.frames_lost, 0u);
  EXPECT_EQ(report.frames_lost, relay.messages_dropped());
  EXPECT_EQ(report.decode_errors, 0u);
}

TEST(LoadGeneratorEndToEnd, FramesEchoedToTheirSenderAreErrors) {
  FakeFanoutRelay relay(FakeRelayOptions{.clients = 3, .echo_to_sender = true});
  LoadGenerator generator(short_run(relay.port(), LoadMode::latency));
  const LoadReport report = generator.run();
  EXPECT_GT(report.decode_errors, 0u);
  EXPECT_GT(report.deliveries, 0u);
  EXPECT_EQ(report.frames_lost, 0u);
}

TEST(LoadGeneratorEndToEnd, ReportsConnectFailures) {
  std::uint16_t closed_port = 0;
  {
    FakeFanoutRelay relay(FakeRelayOptions{.clients = 1});
    closed_port = relay.port();
  }  // the listener is closed again: nothing listens there now
  LoadConfig config = short_run(closed_port, LoadMode::throughput);
  config.connect_timeout_s = 1.0;
  LoadGenerator generator(config);
  const LoadReport report = generator.run();
  EXPECT_EQ(report.connect_failures, 3u);
  EXPECT_NE(generator.connect_error().find("refused"), std::string::npos)
      << generator.connect_error();
  EXPECT_EQ(report.deliveries, 0u);
  expect_json_parses(report);
}

}  // namespace
}  // namespace vmesh::bench
