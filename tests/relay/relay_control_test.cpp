// Every vwifi-ctrl order against the real relay, checked byte for byte.
#include <gtest/gtest.h>

#include <cstring>

#include "relay/core/control_protocol.hpp"
#include "relay_process.hpp"
#include "test_peer.hpp"

namespace vmesh::test {
namespace {

using relay::ControlOrder;
using relay::encode_control_request;
using Bytes = std::vector<std::uint8_t>;

template <typename T>
T at(const Bytes& b, std::size_t offset) {
  T v{};
  std::memcpy(&v, b.data() + offset, sizeof(T));
  return v;
}

Bytes order(std::uint16_t port, const relay::ControlRequest& r) {
  return control_exchange(port, encode_control_request(r));
}

TEST(RelayControl, ListShowsSpiesThenClientsWithCoordinatesAndNames) {
  RelayProcess relay;
  TestPeer a(relay.tcp_port, "127.0.0.10");
  TestPeer spy(relay.spy_port, "127.0.0.20");
  relay.wait_for_peers(1, 1);
  const std::uint32_t id_a = 127 + 256 * 10;
  EXPECT_TRUE(
      order(relay.control_port,
            {.order = ControlOrder::change_coordinate, .cid = id_a, .coordinates = {1, -2, 3}})
          .empty());
  EXPECT_TRUE(
      order(relay.control_port, {.order = ControlOrder::set_name, .cid = id_a, .name = "n1"})
          .empty());
  const Bytes list = order(relay.control_port, {.order = ControlOrder::list});
  ASSERT_EQ(list.size(), 4u + 20u + 4u + 23u);
  EXPECT_EQ(at<std::uint32_t>(list, 0), 1u);  // one spy
  EXPECT_EQ(at<std::uint32_t>(list, 4), 127u + 256u * 20u);
  EXPECT_EQ(at<std::int32_t>(list, 20), 0);    // no name
  EXPECT_EQ(at<std::uint32_t>(list, 24), 1u);  // one client
  EXPECT_EQ(at<std::uint32_t>(list, 28), id_a);
  EXPECT_EQ(at<std::int32_t>(list, 32), 1);
  EXPECT_EQ(at<std::int32_t>(list, 36), -2);
  EXPECT_EQ(at<std::int32_t>(list, 40), 3);
  EXPECT_EQ(at<std::int32_t>(list, 44), 2);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(list.data() + 48), 3),
            std::string("n1\0", 3));
}

TEST(RelayControl, ShowAndStatusReportLossScaleSpyAndPorts) {
  RelayProcess relay({"-l"});
  Bytes show = order(relay.control_port, {.order = ControlOrder::show});
  ASSERT_EQ(show.size(), 10u);
  EXPECT_EQ(show[0], 1);                       // loss on (-l)
  EXPECT_DOUBLE_EQ(at<double>(show, 1), 1.0);  // scale
  EXPECT_EQ(show[9], 0);                       // no spy

  EXPECT_TRUE(order(relay.control_port, {.order = ControlOrder::packet_loss, .loss_enabled = false})
                  .empty());
  EXPECT_TRUE(order(relay.control_port, {.order = ControlOrder::set_scale, .scale = 2.5}).empty());
  TestPeer spy(relay.spy_port);
  relay.wait_for_peers(0, 1);
  const Bytes status = order(relay.control_port, {.order = ControlOrder::status});
  ASSERT_EQ(status.size(), 18u);
  EXPECT_EQ(status[0], 0);
  EXPECT_DOUBLE_EQ(at<double>(status, 1), 2.5);
  EXPECT_EQ(at<std::uint16_t>(status, 11), relay.tcp_port);
  EXPECT_EQ(at<std::uint32_t>(status, 13), 15u);
  EXPECT_EQ(status[17], 1);  // spy connected
}

TEST(RelayControl, DistanceBetweenIdsAndUnknownIds) {
  RelayProcess relay;
  TestPeer a(relay.tcp_port, "127.0.0.10");
  TestPeer b(relay.tcp_port, "127.0.0.11");
  relay.wait_for_peers(2);
  const std::uint32_t id_a = 127 + 256 * 10, id_b = 127 + 256 * 11;
  order(relay.control_port,
        {.order = ControlOrder::change_coordinate, .cid = id_b, .coordinates = {3, 4, 0}});
  const Bytes d =
      order(relay.control_port, {.order = ControlOrder::distance, .cid = id_a, .cid2 = id_b});
  ASSERT_EQ(d.size(), 12u);
  EXPECT_EQ(at<std::int32_t>(d, 0), 0);
  EXPECT_DOUBLE_EQ(at<double>(d, 4), 5.0);
  EXPECT_EQ(order(relay.control_port, {.order = ControlOrder::distance, .cid = 9999, .cid2 = id_b}),
            (Bytes{0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(order(relay.control_port, {.order = ControlOrder::distance, .cid = id_a, .cid2 = 9999}),
            (Bytes{0xfe, 0xff, 0xff, 0xff}));
}

TEST(RelayControl, CloseAllDisconnectsClientsAndSpies) {
  RelayProcess relay;
  TestPeer a(relay.tcp_port, "127.0.0.10");
  TestPeer spy(relay.spy_port, "127.0.0.20");
  relay.wait_for_peers(1, 1);
  EXPECT_TRUE(order(relay.control_port, {.order = ControlOrder::close_all}).empty());
  EXPECT_TRUE(a.wait_closed(2000));
  EXPECT_TRUE(spy.wait_closed(2000));
  relay.wait_for_peers(0, 0);
}

TEST(RelayControl, LossSwitchDropsFarFrames) {
  RelayProcess relay({"--seed", "1"});
  TestPeer a(relay.tcp_port, "127.0.0.10");
  TestPeer b(relay.tcp_port, "127.0.0.11");
  relay.wait_for_peers(2);
  order(relay.control_port, {.order = ControlOrder::change_coordinate,
                             .cid = 127 + 256 * 11,
                             .coordinates = {100000, 0, 0}});  // -128 dBm: always lost with loss on
  order(relay.control_port, {.order = ControlOrder::packet_loss, .loss_enabled = true});
  for (int i = 0; i < 20; ++i) a.send_bytes(make_frame(1, 10, Bytes(20, 1)));
  EXPECT_FALSE(b.receive(300)) << "a frame at -128 dBm survived with loss on";
  order(relay.control_port, {.order = ControlOrder::packet_loss, .loss_enabled = false});
  a.send_bytes(make_frame(1, 10, Bytes(20, 1)));
  const auto got = b.receive(2000);
  ASSERT_TRUE(got);
  EXPECT_EQ(static_cast<std::int8_t>((*got)[0]), -128);
}

}  // namespace
}  // namespace vmesh::test
