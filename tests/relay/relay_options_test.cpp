#include "relay/io/relay_options.hpp"

#include <gtest/gtest.h>

namespace vmesh::relay {
namespace {

TEST(RelayOptions, DefaultsAreVwifiPortsOnLoopback) {
  const auto o = parse_relay_options({});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->bind_address, "127.0.0.1");
  EXPECT_EQ(o->vsock_port, 8211);
  EXPECT_EQ(o->tcp_port, 8212);
  EXPECT_EQ(o->spy_port, 8213);
  EXPECT_EQ(o->control_port, 8214);
  EXPECT_FALSE(o->loss_enabled);
  EXPECT_FALSE(o->use_port_in_hash);
}

TEST(RelayOptions, VwifiShortAndLongFlags) {
  const auto o = parse_relay_options({"-p", "1", "--port-tcp", "2", "-s", "3", "--port-ctrl", "4",
                                      "-l", "--use-port-in-hash", "-v"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->vsock_port, 1);
  EXPECT_EQ(o->tcp_port, 2);
  EXPECT_EQ(o->spy_port, 3);
  EXPECT_EQ(o->control_port, 4);
  EXPECT_TRUE(o->loss_enabled);
  EXPECT_TRUE(o->use_port_in_hash);
  EXPECT_TRUE(o->verbose);
}

TEST(RelayOptions, PortsBase) {
  const auto o = parse_relay_options({"--ports-base", "9000", "--bind", "0.0.0.0"});
  EXPECT_EQ(o->vsock_port, 9000);
  EXPECT_EQ(o->tcp_port, 9001);
  EXPECT_EQ(o->control_port, 9003);
  EXPECT_EQ(o->bind_address, "0.0.0.0");
}

TEST(RelayOptions, VmeshTuning) {
  const auto o = parse_relay_options({"--busy-poll-us", "50", "--pcap", "x.pcapng",
                                      "--pcap-max-bytes", "70000", "--topology", "t.toml",
                                      "--stats-file", "s.json", "--queue-bytes", "30000"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->busy_poll_us, 50u);
  EXPECT_EQ(o->pcap_file, "x.pcapng");
  EXPECT_EQ(o->pcap_max_bytes, 70000u);
  EXPECT_EQ(o->topology_file, "t.toml");
  EXPECT_EQ(o->stats_file, "s.json");
  EXPECT_EQ(o->queue_bytes, 30000u);
  EXPECT_THROW(parse_relay_options({"--pcap-max-bytes", "100"}), UsageError);
  EXPECT_THROW(parse_relay_options({"--queue-bytes", "100"}), UsageError);
}

TEST(RelayOptions, ControlSocket) {
  EXPECT_EQ(parse_relay_options({})->control_socket, "") << "no text commands unless asked";
  EXPECT_EQ(parse_relay_options({"--control-socket", "/run/x/control.sock"})->control_socket,
            "/run/x/control.sock");
  EXPECT_THROW(parse_relay_options({"--control-socket", ""}), UsageError);
  EXPECT_THROW(parse_relay_options({"--control-socket"}), UsageError);
  EXPECT_NE(relay_usage().find("--control-socket PATH"), std::string::npos);
}

TEST(RelayOptions, VhostTakeOver) {
  const auto options = parse_relay_options({"--topology", "t.toml", "--vhost-user-dir", "/run/v",
                                            "--vhost-take-over", "/run/x/handover.sock"});
  EXPECT_EQ(options->vhost_take_over, "/run/x/handover.sock");
  EXPECT_EQ(parse_relay_options({})->vhost_take_over, "") << "nothing taken unless asked";
  try {
    parse_relay_options({"--topology", "t.toml", "--vhost-take-over", "/run/x/handover.sock"});
    FAIL() << "a take-over without node sockets accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--vhost-take-over needs --vhost-user-dir"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_relay_options({"--vhost-take-over", ""}), UsageError);
  EXPECT_NE(relay_usage().find("--vhost-take-over PATH"), std::string::npos);
}

TEST(RelayOptions, ErrorsNameTheFlag) {
  try {
    parse_relay_options({"-t", "70000"});
    FAIL() << "accepted port 70000";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("-t"), std::string::npos);
  }
  EXPECT_THROW(parse_relay_options({"--bogus"}), UsageError);
  EXPECT_THROW(parse_relay_options({"--seed"}), UsageError);
  EXPECT_THROW(parse_relay_options({"--ports-base", "65534"}), UsageError);
}

}  // namespace
}  // namespace vmesh::relay

namespace vmesh::relay {
namespace {

TEST(RelayOptions, MetricsListenDefaultsToLoopback) {
  const auto port_only = parse_relay_options({"--metrics-listen", "9100"});
  ASSERT_TRUE(port_only);
  EXPECT_TRUE(port_only->metrics_enabled);
  EXPECT_EQ(port_only->metrics_address, "127.0.0.1");
  EXPECT_EQ(port_only->metrics_port, 9100);
  const auto both = parse_relay_options({"--metrics-listen", "0.0.0.0:0"});
  EXPECT_EQ(both->metrics_address, "0.0.0.0");
  EXPECT_EQ(both->metrics_port, 0);
  EXPECT_FALSE(parse_relay_options({})->metrics_enabled);
}

TEST(RelayOptions, BadMetricsListenValuesSayWhy) {
  for (const char* bad : {"", "x", "65536", "1.2.3:80", "1.2.3.4.5:80", "256.0.0.1:80", ":80",
                          "127.0.0.1:-1", "[::1]:80", "01234.0.0.1:80"}) {
    EXPECT_THROW(parse_listen_address("--metrics-listen", bad), UsageError) << bad;
  }
  try {
    parse_listen_address("--metrics-listen", "localhost:9100");
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "--metrics-listen: 'localhost' is not an IPv4 address (expected [IPV4:]PORT, "
                 "e.g. 127.0.0.1:9100)");
  }
}

TEST(RelayOptions, StatsJsonlInterval) {
  const auto o = parse_relay_options({"--stats-jsonl", "s.jsonl", "--stats-interval-ms", "250"});
  EXPECT_EQ(o->stats_jsonl_file, "s.jsonl");
  EXPECT_EQ(o->stats_interval_ms, 250u);
  EXPECT_EQ(parse_relay_options({"--stats-jsonl", "s.jsonl"})->stats_interval_ms, 1000u);
  EXPECT_THROW(parse_relay_options({"--stats-jsonl", "s", "--stats-interval-ms", "5"}), UsageError);
  EXPECT_THROW(parse_relay_options({"--stats-interval-ms", "100"}), UsageError);
}

}  // namespace
}  // namespace vmesh::relay
