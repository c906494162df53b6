#include "relay/core/text_command.hpp"

#include <gtest/gtest.h>

namespace vmesh::relay {
namespace {

std::vector<std::uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

TEST(TextCommand, ToldApartFromBinaryOrders) {
  EXPECT_TRUE(is_text_command(bytes("stats\n")));
  EXPECT_FALSE(is_text_command(std::vector<std::uint8_t>{1, 0, 0, 0}));
  EXPECT_FALSE(is_text_command({}));
}

TEST(TextCommand, ParsesLinkSetWithEverySetting) {
  const auto p = parse_text_command(
      bytes("link set n1 n2 loss=0.25 delay=20ms jitter=2ms rate=10mbps signal=-60 oneway\n"));
  ASSERT_EQ(p.status, TextParse::Status::complete) << p.error;
  EXPECT_EQ(p.command.kind, TextCommand::Kind::link_set);
  EXPECT_EQ(p.command.node_a, "n1");
  EXPECT_EQ(p.command.node_b, "n2");
  EXPECT_TRUE(p.command.one_way);
  EXPECT_DOUBLE_EQ(*p.command.changes.loss_prob, 0.25);
  EXPECT_EQ(*p.command.changes.delay_us, 20'000u);
  EXPECT_EQ(*p.command.changes.jitter_us, 2'000u);
  EXPECT_EQ(*p.command.changes.rate_bps, 10'000'000u);
  EXPECT_EQ(*p.command.changes.signal_dbm, -60);
  EXPECT_FALSE(p.command.changes.burst_loss);
}

TEST(TextCommand, WaitsForTheNewline) {
  EXPECT_EQ(parse_text_command(bytes("stat")).status, TextParse::Status::need_more);
  EXPECT_EQ(parse_text_command(bytes("stats\r\n")).status, TextParse::Status::complete);
}

TEST(TextCommand, ErrorsSayWhatIsExpected) {
  auto p = parse_text_command(bytes("link set n1 n2 loss=1.5\n"));
  EXPECT_EQ(p.status, TextParse::Status::invalid);
  EXPECT_NE(p.error.find("[0, 1]"), std::string::npos);
  p = parse_text_command(bytes("link set n1 n2 delay=fast\n"));
  EXPECT_NE(p.error.find("duration"), std::string::npos);
  p = parse_text_command(bytes("link set n1 n2 colour=red\n"));
  EXPECT_NE(p.error.find("unknown link setting 'colour'"), std::string::npos);
  p = parse_text_command(bytes("reboot\n"));
  EXPECT_NE(p.error.find("unknown command"), std::string::npos);
  EXPECT_EQ(parse_text_command(std::vector<std::uint8_t>(5000, 'a')).status,
            TextParse::Status::invalid);
}

TEST(TextCommand, ParsesTimelineStart) {
  auto p = parse_text_command(bytes("timeline start\n"));
  ASSERT_EQ(p.status, TextParse::Status::complete) << p.error;
  EXPECT_EQ(p.command.kind, TextCommand::Kind::timeline_start);
  p = parse_text_command(bytes("timeline start now\n"));
  EXPECT_EQ(p.status, TextParse::Status::invalid);
  EXPECT_NE(p.error.find("timeline start |"), std::string::npos) << p.error;
}

TEST(TextCommand, ParsesCaptureStartAndStop) {
  auto p = parse_text_command(bytes("capture start /tmp/run/a.pcapng\n"));
  ASSERT_EQ(p.status, TextParse::Status::complete) << p.error;
  EXPECT_EQ(p.command.kind, TextCommand::Kind::capture_start);
  EXPECT_EQ(p.command.path, "/tmp/run/a.pcapng");
  p = parse_text_command(bytes("capture stop\r\n"));
  ASSERT_EQ(p.status, TextParse::Status::complete) << p.error;
  EXPECT_EQ(p.command.kind, TextCommand::Kind::capture_stop);
}

TEST(TextCommand, CaptureStartNeedsOneAbsolutePath) {
  auto p = parse_text_command(bytes("capture start run/a.pcapng\n"));
  EXPECT_EQ(p.status, TextParse::Status::invalid);
  EXPECT_EQ(p.error, "capture start: run/a.pcapng must be absolute");
  for (const char* line : {"capture start\n", "capture start /a /b\n", "capture stop now\n",
                           "capture\n", "capture pause\n"}) {
    p = parse_text_command(bytes(line));
    EXPECT_EQ(p.status, TextParse::Status::invalid) << line;
    EXPECT_NE(p.error.find("capture start PATH | capture stop"), std::string::npos) << p.error;
  }
}

TEST(TextCommand, ParsesVhostHandover) {
  auto p = parse_text_command(bytes("vhost handover /run/x/handover.sock\n"));
  ASSERT_EQ(p.status, TextParse::Status::complete) << p.error;
  EXPECT_EQ(p.command.kind, TextCommand::Kind::vhost_handover);
  EXPECT_EQ(p.command.path, "/run/x/handover.sock");
  EXPECT_EQ(p.command.wait_ms, kDefaultHandoverWaitMs);
  p = parse_text_command(bytes("vhost handover /run/x/handover.sock wait=1.5s\n"));
  ASSERT_EQ(p.status, TextParse::Status::complete) << p.error;
  EXPECT_EQ(p.command.wait_ms, 1500u);
  p = parse_text_command(bytes("vhost handover /h.sock wait=100ms\n"));
  EXPECT_EQ(p.command.wait_ms, 100u) << "the shortest wait";
  p = parse_text_command(bytes("vhost handover /h.sock wait=10min\n"));
  EXPECT_EQ(p.command.wait_ms, 600'000u) << "the longest wait";
}

TEST(TextCommand, VhostHandoverNeedsAnAbsolutePathAndASaneWait) {
  auto p = parse_text_command(bytes("vhost handover run/handover.sock\n"));
  EXPECT_EQ(p.status, TextParse::Status::invalid);
  EXPECT_EQ(p.error, "vhost handover: run/handover.sock must be absolute");
  for (const char* line :
       {"vhost handover /h.sock wait=99ms\n", "vhost handover /h.sock wait=11min\n",
        "vhost handover /h.sock wait=soon\n", "vhost handover /h.sock 5s\n"}) {
    p = parse_text_command(bytes(line));
    EXPECT_EQ(p.status, TextParse::Status::invalid) << line;
    EXPECT_NE(p.error.find("expected wait=D with D from 100ms to 10min"), std::string::npos)
        << p.error;
  }
  for (const char* line : {"vhost handover\n", "vhost\n", "vhost handover /a wait=1s more\n"}) {
    p = parse_text_command(bytes(line));
    EXPECT_EQ(p.status, TextParse::Status::invalid) << line;
    EXPECT_NE(p.error.find("vhost handover PATH [wait=D]"), std::string::npos) << p.error;
  }
}

}  // namespace
}  // namespace vmesh::relay
