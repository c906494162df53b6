// Frames through the real vmesh-relay over loopback sockets: what vwifi clients observe.
#include <gtest/gtest.h>

#include <cstring>

#include "relay/core/control_protocol.hpp"
#include "relay_process.hpp"
#include "test_peer.hpp"

namespace vmesh::test {
namespace {

using relay::ControlOrder;
using relay::encode_control_request;

std::string source(int i) {
  return "127.0.0." + std::to_string(10 + i);
}
std::uint32_t id_of(int i) {
  return static_cast<std::uint32_t>(127 + 256 * (10 + i));
}

const std::vector<std::uint8_t> kPayload = {
    0x08, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

TEST(RelayForwarding, RelaysBytesUnchangedExceptPowerAndNeverEchoes) {
  RelayProcess relay;
  std::vector<TestPeer> peers;
  for (int i = 0; i < 3; ++i) peers.emplace_back(relay.tcp_port, source(i));
  relay.wait_for_peers(3);

  const auto frame = make_frame(1, 17, kPayload);
  peers[0].send_bytes(frame);
  for (int i = 1; i < 3; ++i) {
    const auto got = peers[static_cast<std::size_t>(i)].receive(2000);
    ASSERT_TRUE(got) << "peer " << i << " got nothing";
    ASSERT_EQ(got->size(), frame.size());
    EXPECT_EQ(static_cast<std::int8_t>((*got)[0]), -10);  // same place: clamp(17 - 0) = -10
    EXPECT_TRUE(std::equal(got->begin() + 1, got->end(), frame.begin() + 1))
        << "netlink bytes changed";
  }
  EXPECT_FALSE(peers[0].receive(200)) << "frame echoed to its sender";
}

TEST(RelayForwarding, SplitAndCoalescedWritesAreReassembled) {
  RelayProcess relay;
  TestPeer a(relay.tcp_port, source(0));
  TestPeer b(relay.tcp_port, source(1));
  relay.wait_for_peers(2);
  std::vector<std::vector<std::uint8_t>> frames;
  std::vector<std::uint8_t> stream;
  for (std::uint8_t i = 0; i < 5; ++i) {
    frames.push_back(make_frame(1, 10, std::vector<std::uint8_t>(30u + i, i)));
    stream.insert(stream.end(), frames.back().begin(), frames.back().end());
  }
  // The first 20 bytes one write each, then everything else in one write.
  for (std::size_t i = 0; i < 20; ++i) a.send_bytes(std::span(stream).subspan(i, 1));
  a.send_bytes(std::span(stream).subspan(20));
  for (const auto& sent : frames) {
    const auto got = b.receive(2000);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), sent.size());
    EXPECT_TRUE(std::equal(got->begin() + 1, got->end(), sent.begin() + 1));
  }
}

TEST(RelayForwarding, SpiesGetRawPowerAndSpyFramesReachClients) {
  RelayProcess relay;
  TestPeer a(relay.tcp_port, source(0));
  TestPeer b(relay.tcp_port, source(1));
  TestPeer spy(relay.spy_port, source(2));
  relay.wait_for_peers(2, 1);
  // Move b 100 m away: b hears 10 - 80 = -70 dBm; the spy hears the raw 10 dBm.
  control_exchange(
      relay.control_port,
      encode_control_request(
          {.order = ControlOrder::change_coordinate, .cid = id_of(1), .coordinates = {100, 0, 0}}));
  a.send_bytes(make_frame(1, 10, kPayload));
  const auto at_b = b.receive(2000);
  const auto at_spy = spy.receive(2000);
  ASSERT_TRUE(at_b && at_spy);
  EXPECT_EQ(static_cast<std::int8_t>((*at_b)[0]), -70);
  EXPECT_EQ(static_cast<std::int8_t>((*at_spy)[0]), 10);

  spy.send_bytes(make_frame(9, 5, kPayload));
  const auto from_spy_a = a.receive(2000);
  const auto from_spy_b = b.receive(2000);
  ASSERT_TRUE(from_spy_a && from_spy_b);
  EXPECT_EQ(static_cast<std::int8_t>((*from_spy_a)[0]), 5);
  EXPECT_FALSE(spy.receive(200)) << "spy frame echoed to the spy";
}

TEST(RelayForwarding, CoordinatesChangePowerByFreeSpaceFormula) {
  RelayProcess relay;
  TestPeer a(relay.tcp_port, source(0));
  TestPeer b(relay.tcp_port, source(1));
  relay.wait_for_peers(2);
  struct Case {
    std::int32_t x_m;
    std::uint32_t freq_mhz;
    std::int8_t expected_dbm;
  };
  // 10 - trunc(92.45 + 20log10(f_GHz) + 20log10(d_km)), clamped to [-128, -10].
  for (const Case c : {Case{100, 2412, -70}, Case{1000, 5180, -96}, Case{10, 2412, -50},
                       Case{1, 2412, -30}, Case{0, 2412, -10}}) {
    control_exchange(relay.control_port,
                     encode_control_request({.order = ControlOrder::change_coordinate,
                                             .cid = id_of(1),
                                             .coordinates = {c.x_m, 0, 0}}));
    a.send_bytes(make_frame(1, 10, kPayload, c.freq_mhz));
    const auto got = b.receive(2000);
    ASSERT_TRUE(got);
    EXPECT_EQ(static_cast<std::int8_t>((*got)[0]), c.expected_dbm)
        << c.x_m << " m at " << c.freq_mhz;
  }
}

TEST(RelayForwarding, WithoutUseFlagSameAddressTakesOverWithUseFlagBothLive) {
  {
    RelayProcess relay;
    TestPeer first(relay.tcp_port);
    relay.wait_for_peers(1);
    control_exchange(
        relay.control_port,
        encode_control_request(
            {.order = ControlOrder::change_coordinate, .cid = 383, .coordinates = {7, 0, 0}}));
    TestPeer second(relay.tcp_port);
    EXPECT_TRUE(first.wait_closed(2000)) << "same-id connection was not taken over";
    relay.wait_for_peers(1);
    const auto list =
        control_exchange(relay.control_port, encode_control_request({.order = ControlOrder::list}));
    ASSERT_GE(list.size(), 28u);
    std::uint32_t cid = 0;
    std::int32_t x = 0;
    std::memcpy(&cid, list.data() + 8, 4);
    std::memcpy(&x, list.data() + 12, 4);
    EXPECT_EQ(cid, 383u);  // 127 + 256 * 1
    EXPECT_EQ(x, 7) << "the new connection did not inherit the coordinates";
    EXPECT_NE(relay.log().find("taken over"), std::string::npos);
  }
  {
    RelayProcess relay({"-u"});
    TestPeer first(relay.tcp_port);
    TestPeer second(relay.tcp_port);
    relay.wait_for_peers(2);
    first.send_bytes(make_frame(1, 10, kPayload));
    EXPECT_TRUE(second.receive(2000)) << "with -u both connections must stay live";
  }
}

}  // namespace
}  // namespace vmesh::test
