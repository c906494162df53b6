#include "relay/agent/agent_options.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace vmesh::agent {
namespace {

ParsedOptions parse(std::vector<std::string_view> args) {
  return parse_options(args);
}

TEST(AgentOptions, DefaultsMatchVwifiClient) {
  const auto p = parse({});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->relay.transport, Transport::tcp);
  EXPECT_EQ(p.options->relay.host, "10.0.2.2");
  EXPECT_EQ(p.options->relay.port, 8212);
  EXPECT_EQ(p.options->radios, 1);
  EXPECT_EQ(p.options->tx_power_dbm, 10);
  const auto macs = radio_addresses(*p.options);
  ASSERT_EQ(macs.size(), 1u);
  EXPECT_EQ(macs[0].to_string(), "02:00:00:00:01:00");
}

TEST(AgentOptions, PortRadiosPrefixAndServer) {
  const auto p = parse({"-p", "9000", "-n", "3", "-m", "02:00:00:00:0a", "192.168.1.5"});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->relay.port, 9000);
  EXPECT_EQ(p.options->relay.host, "192.168.1.5");
  const auto macs = radio_addresses(*p.options);
  ASSERT_EQ(macs.size(), 3u);
  EXPECT_EQ(macs[0].to_string(), "02:00:00:00:0a:00");
  EXPECT_EQ(macs[2].to_string(), "02:00:00:00:0a:02");
}

TEST(AgentOptions, VsockDefaultsToHostCidAndPort8211) {
  const auto p = parse({"--vsock"});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->relay.transport, Transport::vsock);
  EXPECT_EQ(p.options->relay.cid, 2u);
  EXPECT_EQ(p.options->relay.port, 8211);
}

TEST(AgentOptions, SerialPortTakesAnAbsoluteDevicePath) {
  const auto p = parse({"--serial", "/dev/vport1p1", "-n", "2"});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->relay.transport, Transport::serial);
  EXPECT_EQ(p.options->relay.device, "/dev/vport1p1");
  EXPECT_EQ(p.options->relay.describe(), "serial /dev/vport1p1");
  EXPECT_FALSE(parse({"--serial"}).options);
  EXPECT_FALSE(parse({"--serial", "vport1p1"}).options);
  EXPECT_FALSE(parse({"--serial", "/dev/vport1p1", "--vsock"}).options);
  EXPECT_FALSE(parse({"--serial", "/dev/vport1p1", "10.0.2.2"}).options);
  EXPECT_FALSE(parse({"--serial", "/dev/vport1p1", "-p", "8212"}).options);
}

TEST(AgentOptions, RejectsBadInput) {
  EXPECT_FALSE(parse({"-p"}).options);
  EXPECT_FALSE(parse({"-p", "70000"}).options);
  EXPECT_FALSE(parse({"-n", "0"}).options);
  EXPECT_FALSE(parse({"-m", "zz:00"}).options);
  EXPECT_FALSE(parse({"--bogus"}).options);
  EXPECT_FALSE(parse({"not-an-ip"}).options);
  EXPECT_FALSE(parse({"1.2.3.4", "5.6.7.8"}).options);
  EXPECT_FALSE(parse({"--vsock", "1.2.3.4"}).options);
  EXPECT_NE(parse({"--bogus"}).error.find("--bogus"), std::string::npos);
}

TEST(AgentOptions, VersionAndHelp) {
  EXPECT_TRUE(parse({"--version"}).options->version);
  EXPECT_TRUE(parse({"-h"}).options->help);
  EXPECT_NE(usage().find("--vsock"), std::string::npos);
}

}  // namespace
}  // namespace vmesh::agent
