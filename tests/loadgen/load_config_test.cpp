#include "bench/loadgen/load_config.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "bench/loadgen/client_connector.hpp"

namespace vmesh::bench {
namespace {

ParsedLoadArgs parse(std::vector<std::string_view> args) {
  return parse_load_args(args);
}

TEST(LoadConfig, DefaultsWithoutArguments) {
  const auto parsed = parse({});
  ASSERT_TRUE(parsed.config.has_value()) << parsed.error;
  EXPECT_EQ(parsed.config->host, "127.0.0.1");
  EXPECT_EQ(parsed.config->port, 8212);
  EXPECT_EQ(parsed.config->clients, 5u);
  EXPECT_EQ(parsed.config->frame_bytes, 100u);
  EXPECT_EQ(parsed.config->mode, LoadMode::throughput);
  EXPECT_EQ(parsed.config->source_ips, SourceIps::automatic);
}

TEST(LoadConfig, ParsesBothOptionForms) {
  const auto parsed =
      parse({"--host",       "10.0.0.1", "--port=9000",    "-n",      "10",
             "--frame-size", "1500",     "--mode=latency", "--rate",  "250",
             "--duration",   "0.5",      "--warmup=0",     "--batch", "8",
             "--window",     "64",       "--source-ips",   "off",     "--busy-poll"});
  ASSERT_TRUE(parsed.config.has_value()) << parsed.error;
  const LoadConfig& c = *parsed.config;
  EXPECT_EQ(c.host, "10.0.0.1");
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.clients, 10u);
  EXPECT_EQ(c.frame_bytes, 1500u);
  EXPECT_EQ(c.mode, LoadMode::latency);
  EXPECT_DOUBLE_EQ(c.rate_fps, 250.0);
  EXPECT_DOUBLE_EQ(c.duration_s, 0.5);
  EXPECT_DOUBLE_EQ(c.warmup_s, 0.0);
  EXPECT_EQ(c.batch, 8u);
  EXPECT_EQ(c.window, 64u);
  EXPECT_EQ(c.source_ips, SourceIps::off);
  EXPECT_TRUE(c.busy_poll);
  EXPECT_FALSE(parse({}).config->busy_poll);
}

TEST(LoadConfig, RejectsBadValuesWithAReason) {
  const std::vector<std::vector<std::string_view>> bad = {
      {"--clients", "1"},  {"--frame-size", "20"}, {"--mode", "fast"},       {"--port", "0"},
      {"--duration", "0"}, {"--duration", "-1"},   {"--rate", "x"},          {"--bogus", "1"},
      {"--port"},          {"--batch", "0"},       {"--source-ips", "maybe"}};
  for (const auto& args : bad) {
    const auto parsed = parse(args);
    EXPECT_FALSE(parsed.config.has_value()) << args[0];
    EXPECT_FALSE(parsed.error.empty()) << args[0];
  }
  EXPECT_TRUE(parse({"-h"}).help);
}

TEST(LoadConfig, AutoWindowKeepsAboutQuarterMegabyteInFlightPerReceiver) {
  LoadConfig config;  // 5 clients, automatic batch
  EXPECT_EQ(config.window, 0u);
  EXPECT_EQ(config.batch, 0u);
  EXPECT_EQ(auto_window_frames(config, 177), 262144u / (177 * 4));
  EXPECT_EQ(auto_window_frames(config, 1577), 262144u / (1577 * 4));
  config.clients = 50;
  EXPECT_EQ(auto_window_frames(config, 1577), 2 * auto_batch_messages(1577));  // >= 2 batches
  config.batch = 16;
  EXPECT_EQ(auto_window_frames(config, 1577), 32u);
}

TEST(LoadConfig, AutoBatchIsAbout32KiBPerWrite) {
  EXPECT_EQ(auto_batch_messages(177), 64u);  // capped
  EXPECT_EQ(auto_batch_messages(1577), 32768u / 1577);
  EXPECT_EQ(auto_batch_messages(9000), 4u);  // at least 4
}

TEST(LoadConfig, SourceIpsDefaultOnlyForLoopback) {
  LoadConfig config;
  config.host = "127.0.0.1";
  EXPECT_TRUE(uses_source_ips(config));
  config.host = "127.1.2.3";
  EXPECT_TRUE(uses_source_ips(config));
  config.host = "localhost";
  EXPECT_TRUE(uses_source_ips(config));
  config.host = "10.0.2.2";
  EXPECT_FALSE(uses_source_ips(config));
  config.source_ips = SourceIps::on;
  EXPECT_TRUE(uses_source_ips(config));
  config.host = "127.0.0.1";
  config.source_ips = SourceIps::off;
  EXPECT_FALSE(uses_source_ips(config));
}

TEST(ClientSourceAddress, StartsAt127_0_0_10AndKeepsVwifiIdsDistinct) {
  char text[INET_ADDRSTRLEN] = {};
  const in_addr first = client_source_address(0);
  inet_ntop(AF_INET, &first, text, sizeof(text));
  EXPECT_STREQ(text, "127.0.0.10");
  const in_addr fifth = client_source_address(4);
  inet_ntop(AF_INET, &fifth, text, sizeof(text));
  EXPECT_STREQ(text, "127.0.0.14");
  // vwifi's TCP id: a + 256 * (b + c + d) of a.b.c.d.
  std::set<std::uint32_t> ids;
  for (std::uint32_t i = 0; i < 750; ++i) {
    const std::uint32_t host = ntohl(client_source_address(i).s_addr);
    ASSERT_EQ(host >> 24, 127u);
    ASSERT_NE(host & 0xffu, 0u);
    ASSERT_NE(host & 0xffu, 255u);
    ids.insert((host >> 24) +
               256 * (((host >> 16) & 0xffu) + ((host >> 8) & 0xffu) + (host & 0xffu)));
  }
  EXPECT_EQ(ids.size(), 750u);
}

}  // namespace
}  // namespace vmesh::bench
