// Misbehaving peers against the real relay: each costs only itself.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "base/wire/byte_io.hpp"
#include "relay/core/control_protocol.hpp"
#include "relay_process.hpp"
#include "test_peer.hpp"

namespace vmesh::test {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

std::string source(int i) {
  return "127.0.0." + std::to_string(10 + i);
}

// The healthy pair still exchanges a frame.
void expect_pair_works(TestPeer& from, TestPeer& to) {
  from.send_bytes(make_frame(1, 10, Bytes(40, 0x11)));
  EXPECT_TRUE(to.receive(2000)) << "healthy peers stopped exchanging frames";
}

TEST(RelayRobustness, StuckReceiverDoesNotDelayOthers) {
  RelayProcess relay({"--stall-timeout-ms", "30000", "--queue-bytes", "65536"});
  TestPeer sender(relay.tcp_port, source(0));
  TestPeer healthy(relay.tcp_port, source(1));
  TestPeer stuck(relay.tcp_port, source(2), 4096);  // never reads
  relay.wait_for_peers(3);

  std::atomic<bool> done{false};
  std::atomic<std::int64_t> max_gap_us{0};
  std::atomic<std::uint64_t> received{0};
  std::thread reader([&] {
    auto last = Clock::now();
    while (!done) {
      if (!healthy.receive(50)) continue;
      const auto now = Clock::now();
      const auto gap = std::chrono::duration_cast<std::chrono::microseconds>(now - last).count();
      if (received > 0 && gap > max_gap_us) max_gap_us = gap;
      last = now;
      ++received;
    }
  });
  // 1500-byte frames every ~500 us for at least 2 s, and on until the relay reports drops for
  // the stuck peer: how much the kernel's socket buffer toward it absorbs first (up to
  // tcp_wmem's maximum) and how many frames a slow (sanitized, loaded) run sends both vary.
  const auto frame = make_frame(1, 10, Bytes(1500, 0x22));
  const auto start = Clock::now();
  const auto min_end = start + std::chrono::seconds(2);
  const auto give_up = start + std::chrono::seconds(20);  // well within the 30 s stall bound
  std::uint64_t sent = 0;
  bool stuck_dropped = false;
  while (Clock::now() < min_end || (!stuck_dropped && Clock::now() < give_up)) {
    sender.send_bytes(frame);
    ++sent;
    if (sent % 200 == 0) stuck_dropped = relay.log().find("send queue full") != std::string::npos;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  done = true;
  reader.join();

  EXPECT_EQ(received.load(), sent) << "the healthy receiver lost frames";
  // A relay that waited on the stuck peer would hold the healthy one until the 30 s stall
  // timeout; 1 s leaves room for a loaded machine's scheduling without hiding that.
  EXPECT_LT(max_gap_us.load(), 1'000'000) << "a stuck receiver delayed a healthy one";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the drop summary be logged
  EXPECT_NE(relay.log().find("send queue full"), std::string::npos)
      << "sent " << sent << " frames\n"
      << relay.log();
}

TEST(RelayRobustness, ReceiverStuckPastBoundIsClosed) {
  RelayProcess relay({"--stall-timeout-ms", "300"});
  TestPeer sender(relay.tcp_port, source(0));
  TestPeer healthy(relay.tcp_port, source(1));
  TestPeer stuck(relay.tcp_port, source(2), 4096);
  relay.wait_for_peers(3);
  const auto frame = make_frame(1, 10, Bytes(1500, 0x33));
  std::thread drain([&] {
    while (healthy.receive(500)) {
    }
  });
  for (int i = 0; i < 2000; ++i) sender.send_bytes(frame);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_NE(relay.log().find("receiver stalled"), std::string::npos) << relay.log();
  EXPECT_TRUE(stuck.wait_closed(3000)) << "stuck receiver was not closed";
  drain.join();
  relay.wait_for_peers(2);
}

TEST(RelayRobustness, HalfSentFrameClosesOnlyTheSender) {
  RelayProcess relay({"--partial-timeout-ms", "300"});
  TestPeer half(relay.tcp_port, source(0));
  TestPeer a(relay.tcp_port, source(1));
  TestPeer b(relay.tcp_port, source(2));
  relay.wait_for_peers(3);
  const auto frame = make_frame(1, 10, Bytes(100, 0x44));
  half.send_bytes(std::span(frame).first(30));
  expect_pair_works(a, b);  // the half frame blocks nobody meanwhile
  EXPECT_TRUE(half.wait_closed(3000));
  EXPECT_NE(relay.log().find("half-sent frame"), std::string::npos) << relay.log();
  expect_pair_works(b, a);
}

TEST(RelayRobustness, SilentControlConnectionTimesOutAlone) {
  RelayProcess relay({"--control-timeout-ms", "300"});
  TestPeer silent(relay.control_port);
  TestPeer a(relay.tcp_port, source(1));
  TestPeer b(relay.tcp_port, source(2));
  relay.wait_for_peers(2);  // the control port still answers others meanwhile
  expect_pair_works(a, b);
  EXPECT_TRUE(silent.wait_closed(3000));
  EXPECT_NE(relay.log().find("control connection silent"), std::string::npos);
}

struct Malformed {
  const char* name;
  Bytes bytes;
  const char* logged;
};

std::vector<Malformed> malformed_messages() {
  auto with_len = [](std::uint32_t nlmsg_len) {
    Bytes b(5, 0);
    wire::store<std::uint32_t>(b.data() + 1, nlmsg_len);
    return b;
  };
  Bytes short_attr = make_frame(1, 10, Bytes(8, 0));
  short_attr[21] = 2;  // first attribute claims 2 bytes
  Bytes overrun = make_frame(1, 10, Bytes(8, 0));
  overrun[21] = 0xff;  // first attribute claims 255 bytes
  return {
      {"nlmsg_len 0", with_len(0), "nlmsg_len below"},
      {"nlmsg_len 19", with_len(19), "nlmsg_len below"},
      {"nlmsg_len 1 MiB", with_len(1 << 20), "nlmsg_len above"},
      {"attribute length 2", short_attr, "attribute length below"},
      {"attribute overrun", overrun, "attribute runs past"},
  };
}

TEST(RelayRobustness, EachMalformedMessageClosesOnlyItsSender) {
  RelayProcess relay;
  TestPeer a(relay.tcp_port, source(1));
  TestPeer b(relay.tcp_port, source(2));
  relay.wait_for_peers(2);
  for (const auto& m : malformed_messages()) {
    TestPeer bad(relay.tcp_port, source(0));
    relay.wait_for_peers(3);
    bad.send_bytes(m.bytes);
    EXPECT_TRUE(bad.wait_closed(2000)) << m.name << " did not close its sender";
    EXPECT_NE(relay.log().find(m.logged), std::string::npos) << m.name;
    expect_pair_works(a, b);
    EXPECT_FALSE(b.receive(100)) << m.name << " was relayed";
  }
}

TEST(RelayRobustness, DroppedSocketsAreReallyClosed) {
  RelayProcess relay;
  const int fds_before = relay.open_fds();
  for (int i = 0; i < 30; ++i) {
    TestPeer p(relay.tcp_port, source(i % 5));
    p.send_bytes(Bytes{0x0a, 1, 0, 0, 0});  // malformed: closed by the relay
    EXPECT_TRUE(p.wait_closed(2000));
  }
  for (int i = 0; i < 30; ++i) {
    TestPeer p(relay.tcp_port, source(i % 5));
  }  // closed by the peer
  relay.wait_for_peers(0);
  // The last control connection may still be closing: allow it a moment, not a leak.
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (relay.open_fds() != fds_before && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(relay.open_fds(), fds_before) << "descriptors leaked";
}

TEST(RelayRobustness, RestartOnTheSamePortWorksAtOnce) {
  std::uint16_t port = 0;
  {
    RelayProcess first;
    port = first.tcp_port;
    TestPeer a(port, source(1));
    first.wait_for_peers(1);
    EXPECT_EQ(first.stop(), 0);
  }
  // Agents reconnect within a second of a relay restart; the port must be free by then.
  RelayProcess second({"-t", std::to_string(port)});
  EXPECT_EQ(second.tcp_port, port);
  TestPeer a(port, source(1));
  TestPeer b(port, source(2));
  second.wait_for_peers(2);
  expect_pair_works(a, b);
}

TEST(RelayRobustness, RunningOutOfDescriptorsDoesNotKillTheRelay) {
  RelayProcess relay({}, 24);
  std::vector<TestPeer> flood;
  for (int i = 0; i < 40; ++i)
    flood.emplace_back(relay.tcp_port, "127.0.1." + std::to_string(i + 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  flood.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  TestPeer a(relay.tcp_port, source(1));
  TestPeer b(relay.tcp_port, source(2));
  relay.wait_for_peers(2);
  expect_pair_works(a, b);
  EXPECT_NE(relay.log().find("Too many open files"), std::string::npos) << relay.log();
  EXPECT_EQ(relay.stop(), 0);
}

}  // namespace
}  // namespace vmesh::test
