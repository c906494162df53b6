// The Router interface: the same cases against both media (typed tests), then what only
// one of them does.
#include "relay/core/router.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/wire/message_builder.hpp"
#include "base/wire/tx_status.hpp"
#include "medium/topology_parser.hpp"
#include "relay/core/topology_router.hpp"
#include "relay/core/vwifi_router.hpp"

namespace vmesh::relay {
namespace {

// n1 - n2 with no delay, n3 deaf to both; MAC prefixes 02:00:00:00:0i.
medium::Topology pair_topology(const char* n1_n2_delay = "0ms") {
  return medium::parse_topology(std::string(R"(
[meta]
name = "t"
[medium]
default = "none"
[medium.defaults]
delay = "0ms"
[[node]]
name = "n1"
[[node]]
name = "n2"
[[node]]
name = "n3"
[[link]]
nodes = ["n1", "n2"]
delay = ")") + n1_n2_delay + "\"\n",
                                "t.toml");
}

wire::MacAddress mac_of(std::uint8_t node) {
  return wire::MacAddress{{0x02, 0, 0, 0, node, 0}};
}

// A data frame from radio `node` to addr1 (broadcast unless given), with everything a
// TX status needs (flags, TX_INFO, cookie).
std::vector<std::uint8_t> frame_from(std::uint8_t node, std::int8_t power_dbm = 10,
                                     wire::MacAddress addr1 = {
                                         {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}) {
  std::vector<std::uint8_t> frame = {0x08, 0x00, 0, 0};
  frame.insert(frame.end(), addr1.bytes.begin(), addr1.bytes.end());
  const wire::MacAddress addr2 = mac_of(node);
  frame.insert(frame.end(), addr2.bytes.begin(), addr2.bytes.end());
  frame.resize(40, 0);
  std::vector<std::uint8_t> out;
  wire::MessageBuilder b(out, power_dbm, wire::HwsimCmd::frame, {});
  b.put_mac(wire::HwsimAttr::addr_transmitter, wire::MacAddress{{0x42, 0, 0, 0, node, 0}});
  b.put(wire::HwsimAttr::frame, frame);
  b.put_u32(wire::HwsimAttr::flags, wire::kHwsimTxCtlReqTxStatus);
  b.put(wire::HwsimAttr::tx_info, std::vector<std::uint8_t>{0, 2, 0xff, 0});
  b.put_u64(wire::HwsimAttr::cookie, 7);
  b.put_u32(wire::HwsimAttr::freq, 2412);
  b.finish();
  return out;
}

struct VwifiMedium {
  static std::unique_ptr<Router> make(RelayCore& core) { return make_router(core, {}, 1); }
};
struct TopologyMedium {
  static std::unique_ptr<Router> make(RelayCore& core) {
    return make_router(core, pair_topology(), 1);
  }
};

template <typename Medium>
class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : router_(Medium::make(core_)) {}

  // Connects clients at slots 1 and 2 (vwifi ids 11, 12) and lets each send one frame, so
  // the topology binds them to n1 and n2.
  void join_two() {
    router_->on_connect({1, PeerKind::client, Transport::tcp, 11});
    router_->on_connect({2, PeerKind::client, Transport::tcp, 12});
    route(1, frame_from(1));
    route(2, frame_from(2));
  }
  const RouteResult& route(Slot from, const std::vector<std::uint8_t>& message,
                           bool tx_status = false) {
    message_ = message;
    return router_->route({from, message_, now_us_ += 1000, tx_status});
  }
  static std::vector<Slot> receivers(const RouteResult& r) {
    std::vector<Slot> slots;
    for (const RouteDelivery& d : r.deliveries) slots.push_back(d.receiver);
    std::sort(slots.begin(), slots.end());
    return slots;
  }

  RelayCore core_{{}, 1};
  std::unique_ptr<Router> router_;
  std::vector<std::uint8_t> message_;
  std::uint64_t now_us_ = 0;
};

using Media = ::testing::Types<VwifiMedium, TopologyMedium>;
TYPED_TEST_SUITE(RouterTest, Media);

TYPED_TEST(RouterTest, FrameReachesTheOtherClientNowNeverTheSender) {
  this->join_two();
  const RouteResult& r = this->route(1, frame_from(1));
  EXPECT_EQ(this->receivers(r), std::vector<Slot>{2});
  EXPECT_EQ(r.deliveries[0].delay_us, 0u);
  EXPECT_TRUE(r.tx_status.empty()) << "no TX status unless the sender asked";
}

TYPED_TEST(RouterTest, SpiesGetARawCopyAndTheirFramesReachEveryone) {
  this->join_two();
  this->router_->on_connect({9, PeerKind::spy, Transport::tcp, 19});
  const RouteResult& r = this->route(1, frame_from(1, -7));
  EXPECT_EQ(this->receivers(r), (std::vector<Slot>{2, 9}));
  const auto spy = std::find_if(r.deliveries.begin(), r.deliveries.end(),
                                [](const RouteDelivery& d) { return d.receiver == 9; });
  EXPECT_EQ(spy->power_dbm, -7);
  EXPECT_FALSE(spy->on_link);
  const RouteResult& from_spy = this->route(9, frame_from(5, 3));
  EXPECT_EQ(this->receivers(from_spy), (std::vector<Slot>{1, 2}));
  for (const RouteDelivery& d : from_spy.deliveries) EXPECT_EQ(d.power_dbm, 3);
}

TYPED_TEST(RouterTest, DisconnectedClientGetsNothing) {
  this->join_two();
  this->router_->on_disconnect(2);
  EXPECT_TRUE(this->route(1, frame_from(1)).deliveries.empty());
}

TYPED_TEST(RouterTest, CaptureFactsComeWithTheResult) {
  this->join_two();
  const RouteResult& r = this->route(1, frame_from(1));
  EXPECT_EQ(r.capture.freq_mhz, 2412u);
  EXPECT_EQ(r.capture.frame.size(), 40u);
  EXPECT_EQ(r.capture.frame[0], 0x08);
}

TYPED_TEST(RouterTest, UnicastFromATxStatusClientIsAcknowledgedWhenDelivered) {
  this->router_->on_connect({1, PeerKind::client, Transport::tcp, 11});
  this->router_->on_connect({2, PeerKind::client, Transport::tcp, 12});
  this->router_->on_tx_status_client(1);
  this->route(2, frame_from(2));  // n2 binds and shows its address
  this->route(1, frame_from(1));
  const RouteResult& r = this->route(1, frame_from(1, 10, mac_of(2)), true);
  ASSERT_FALSE(r.tx_status.empty());
  const wire::HwsimMessage status = wire::read_hwsim_message(r.tx_status);
  ASSERT_TRUE(status.flags.has_value());
  EXPECT_NE(*status.flags & wire::kHwsimTxStatAck, 0u);
  EXPECT_EQ(this->receivers(r), std::vector<Slot>{2});
}

TYPED_TEST(RouterTest, UnicastToNobodyIsNotAcknowledged) {
  this->join_two();
  this->router_->on_tx_status_client(1);
  const RouteResult& r =
      this->route(1, frame_from(1, 10, wire::MacAddress{{6, 1, 2, 3, 4, 5}}), true);
  ASSERT_FALSE(r.tx_status.empty());
  const wire::HwsimMessage status = wire::read_hwsim_message(r.tx_status);
  ASSERT_TRUE(status.flags.has_value());
  EXPECT_EQ(*status.flags & wire::kHwsimTxStatAck, 0u);
}

TYPED_TEST(RouterTest, TakeOverByIdReportsTheOldSlot) {
  this->router_->on_connect({1, PeerKind::client, Transport::tcp, 11});
  const ConnectResult again = this->router_->on_connect({4, PeerKind::client, Transport::tcp, 11});
  EXPECT_EQ(again.taken_over, Slot{1});
}

// vwifi's medium only.

TEST(VwifiRouter, TextCommandsNeedATopology) {
  RelayCore core({}, 1);
  VwifiRouter router(core);
  const CommandReply reply = router.run_command({}, QueueDrops{}, 0);
  EXPECT_EQ(reply.reply, "error: no topology loaded (start vmesh-relay with --topology FILE)\n");
  EXPECT_TRUE(reply.load_path.empty()) << "no file is opened without a topology";
  EXPECT_FALSE(router.stats_json(QueueDrops{}));
  EXPECT_EQ(router.capture_interfaces(), std::vector<std::string>{"medium"});
  EXPECT_EQ(router.node_count(), 0u);
}

TEST(VwifiRouter, LossDropsAreReported) {
  RelayCore core({.loss_enabled = true}, 1);
  VwifiRouter router(core);
  router.on_connect({1, PeerKind::client, Transport::tcp, 11});
  router.on_connect({2, PeerKind::client, Transport::tcp, 12});
  core.handle_control(
      {.order = ControlOrder::change_coordinate, .cid = 12, .coordinates = {100000, 0, 0}});
  const auto message = frame_from(1);
  const RouteResult& r = router.route({1, message, 0, false});
  EXPECT_TRUE(r.deliveries.empty());
  ASSERT_EQ(r.drops.size(), 1u);
  EXPECT_EQ(r.drops[0].receiver, 2u);
  EXPECT_EQ(r.drops[0].reason, DropReason::loss);
  EXPECT_EQ(r.capture.receiver_count, 0u);
  EXPECT_FALSE(r.capture.topology);
}

// The topology medium only.

TEST(TopologyRouter, DelayedDeliveriesAndDropsWithReasons) {
  RelayCore core({}, 1);
  TopologyRouter router(core, pair_topology("5ms"), 1);
  router.on_connect({1, PeerKind::client, Transport::tcp, 11});
  router.on_connect({2, PeerKind::client, Transport::tcp, 12});
  router.on_connect({3, PeerKind::client, Transport::tcp, 13});
  for (std::uint8_t n = 1; n <= 3; ++n) {
    const auto m = frame_from(n);
    router.route({n, m, 0, false});
  }
  const auto m = frame_from(1);
  const RouteResult& r = router.route({1, m, 100, false});
  ASSERT_EQ(r.deliveries.size(), 1u);
  EXPECT_EQ(r.deliveries[0].delay_us, 5000u);
  EXPECT_TRUE(r.deliveries[0].on_link);
  EXPECT_EQ(r.deliveries[0].to_node, medium::NodeId{1});
  ASSERT_EQ(r.drops.size(), 1u);
  EXPECT_EQ(r.drops[0].receiver, 2u);  // n3
  EXPECT_EQ(r.drops[0].reason, DropReason::deaf);
  EXPECT_TRUE(r.capture.topology);
  EXPECT_EQ(r.capture.interface_id, 0u);
  EXPECT_EQ(r.capture.verdicts.size(), 2u);
}

TEST(TopologyRouter, VsockClientBindsByCidAtConnect) {
  RelayCore core({}, 1);
  auto topology = pair_topology();
  topology.nodes[1].vsock_cid = 42;
  TopologyRouter router(core, std::move(topology), 1);
  const ConnectResult tcp = router.on_connect({1, PeerKind::client, Transport::tcp, 42});
  EXPECT_TRUE(tcp.log.empty()) << "a TCP peer whose id equals a CID is not that guest";
  const ConnectResult vsock = router.on_connect({2, PeerKind::client, Transport::vsock, 42});
  EXPECT_NE(vsock.log.find("bound to node n2 by VSOCK CID 42"), std::string::npos) << vsock.log;
  EXPECT_FALSE(vsock.taken_over) << "a VSOCK guest displaced a TCP peer whose id is its CID";
  EXPECT_EQ(router.node_name(2), "n2");
}

TEST(TopologyRouter, VsockCidEqualToAVhostNodesIdLeavesThatNodeAlone) {
  RelayCore core({}, 1);
  TopologyRouter router(core, pair_topology(), 1);
  constexpr PeerId kSameId = 0x40000000;  // as the relay numbers node 0's vhost-user peer
  PeerConnect vhost{1, PeerKind::client, Transport::unix_socket, kSameId};
  vhost.node = medium::NodeId{0};
  vhost.node_source = "its vhost-user socket n1.sock";
  EXPECT_FALSE(router.on_connect(vhost).taken_over);
  EXPECT_FALSE(router.on_connect({2, PeerKind::client, Transport::vsock, kSameId}).taken_over);
  EXPECT_EQ(router.node_name(1), "n1");
  // The same node's next front end still takes over its previous one.
  vhost.slot = 3;
  const auto again = router.on_connect(vhost).taken_over;
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 1u);
}

TEST(TopologyRouter, ReloadIsParsedByTheCallerThenApplied) {
  RelayCore core({}, 1);
  TopologyRouter router(core, pair_topology(), 1);
  TextCommand reload;
  reload.kind = TextCommand::Kind::reload;
  reload.path = "/some/file.toml";
  const CommandReply asked = router.run_command(reload, QueueDrops{}, 0);
  EXPECT_EQ(asked.load_path, "/some/file.toml");
  EXPECT_TRUE(asked.reply.empty());
  const CommandReply failed = router.finish_reload("/some/file.toml", {{}, "f.toml:2:1: bad"}, 0);
  EXPECT_EQ(failed.reply, "error: f.toml:2:1: bad\n");
  const CommandReply applied =
      router.finish_reload("/some/file.toml", {pair_topology("7ms"), {}}, 0);
  EXPECT_EQ(applied.reply, "n1->n2: delay 0 -> 7ms\nn2->n1: delay 0 -> 7ms\nok\n") << applied.reply;
  EXPECT_EQ(applied.log, "reload /some/file.toml: applied");
}

TEST(TopologyRouter, QueueDropsMoveDeliveredToQueueInTheStats) {
  RelayCore core({}, 1);
  TopologyRouter router(core, pair_topology(), 1);
  router.on_connect({1, PeerKind::client, Transport::tcp, 11});
  router.on_connect({2, PeerKind::client, Transport::tcp, 12});
  for (std::uint8_t n :
       {std::uint8_t{1}, std::uint8_t{2}, std::uint8_t{1}}) {  // n2 unbound at first
    const auto m = frame_from(n);
    router.route({n, m, 0, false});
  }
  QueueDrops queue(router.node_count());
  queue.add(0, 1, 40);
  const std::string json = *router.stats_json(queue);
  EXPECT_NE(json.find(R"("from":"n1","to":"n2","sent":2,"delivered":0)"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("queue":1)"), std::string::npos) << json;
  EXPECT_EQ(router.session().counters().at(0, 1).delivered, 1u) << "the router's count stays";
  StatsSnapshot s;
  router.fill_snapshot(s, queue, DelayQueue{});
  ASSERT_FALSE(s.links.empty());
  EXPECT_EQ(s.links[0].counter.delivered, 0u);
  EXPECT_EQ(s.links[0].counter.dropped[static_cast<int>(DropReason::queue)], 1u);
}

}  // namespace
}  // namespace vmesh::relay
