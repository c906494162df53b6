// The topology medium's ACK decisions for TX-status clients: retries on the addressed
// link only, outcomes, counters.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/wire/hwsim_frames.hpp"
#include "base/wire/message_builder.hpp"
#include "medium/topology_parser.hpp"
#include "relay/core/medium_session.hpp"

namespace vmesh::relay {
namespace {

medium::Topology pair_with_loss(double loss) {
  return medium::parse_topology(fmt::format(R"(
[medium]
default = "none"
[[node]]
name = "a"
[[node]]
name = "b"
[[node]]
name = "c"
[[link]]
nodes = ["a", "b"]
loss = {}
)",
                                            loss),
                                "t.toml");
}

// A unicast data frame from node `from` (radio 0) to `addr1`.
std::vector<std::uint8_t> unicast(std::uint8_t from, wire::MacAddress addr1,
                                  wire::MacAddress addr2 = {}) {
  std::vector<std::uint8_t> frame = {0x08, 0x02, 0, 0};
  frame.insert(frame.end(), addr1.bytes.begin(), addr1.bytes.end());
  if (addr2 == wire::MacAddress{}) addr2.bytes = {0x02, 0, 0, 0, from, 0};
  frame.insert(frame.end(), addr2.bytes.begin(), addr2.bytes.end());
  frame.resize(40, 0);
  std::vector<std::uint8_t> out;
  wire::MessageBuilder b(out, 10, wire::HwsimCmd::frame, {});
  b.put_mac(wire::HwsimAttr::addr_transmitter, wire::MacAddress{{0x02, 0, 0, 0, from, 0}});
  b.put(wire::HwsimAttr::frame, frame);
  b.finish();
  return out;
}

wire::MacAddress node_mac(std::uint8_t index) {
  return wire::MacAddress{{0x02, 0, 0, 0, index, 0}};
}

struct Routed {
  RouteResult out;
  AckRequest ack;
};

Routed route(MediumSession& router, Slot slot, const std::vector<std::uint8_t>& message,
             std::uint32_t planned, std::uint64_t now_us = 0) {
  Routed r;
  r.ack.planned_attempts = planned;
  router.route(slot, message, now_us, r.out, &r.ack);
  return r;
}

void bind_all(MediumSession& router) {
  RouteResult out;
  for (std::uint8_t n = 1; n <= 3; ++n) router.route(n, unicast(n, node_mac(9)), 0, out);
}

TEST(TopologyAck, FrameToAnotherRadioOfTheSendersVmIsAckedLocally) {
  MediumSession router(pair_with_loss(1.0), 1);  // the medium would lose everything
  bind_all(router);
  const wire::MacAddress second_radio{{0x02, 0, 0, 0, 1, 1}};
  RouteResult out;
  router.route(1, unicast(1, node_mac(9), second_radio), 0, out);  // a learns it
  const Routed r = route(router, 1, unicast(1, second_radio), 7);
  EXPECT_TRUE(r.ack.outcome.acked) << "the local forward hands it over, no medium between";
  EXPECT_EQ(r.ack.outcome.attempts, 1u);
  EXPECT_EQ(r.ack.signal_dbm, wire::kLocalSignalDbm);
  EXPECT_EQ(router.counters().at(0, 1).retries, 0u) << "no attempt spent on a's links";
}

TEST(TopologyAck, CleanLinkAcksAtTheFirstAttempt) {
  MediumSession router(pair_with_loss(0.0), 1);
  bind_all(router);
  const Routed r = route(router, 1, unicast(1, node_mac(2)), 7);
  EXPECT_TRUE(r.ack.outcome.acked);
  EXPECT_EQ(r.ack.outcome.attempts, 1u);
  ASSERT_EQ(r.out.deliveries.size(), 1u);
  EXPECT_EQ(r.out.deliveries[0].receiver, 2u);
  EXPECT_EQ(router.counters().at(0, 1).acked, 1u);
  EXPECT_EQ(router.counters().at(0, 1).retries, 0u);
}

TEST(TopologyAck, LostLinkSpendsEveryPlannedAttemptAndIsNotAcked) {
  MediumSession router(pair_with_loss(1.0), 1);
  bind_all(router);
  const LinkCounter before = router.counters().at(0, 1);
  const Routed r = route(router, 1, unicast(1, node_mac(2)), 7);
  EXPECT_FALSE(r.ack.outcome.acked);
  EXPECT_EQ(r.ack.outcome.attempts, 7u);
  EXPECT_TRUE(r.out.deliveries.empty());
  const LinkCounter& c = router.counters().at(0, 1);
  EXPECT_EQ(c.sent - before.sent, 7u);  // every attempt was on the air
  EXPECT_EQ(c.dropped[static_cast<int>(DropReason::loss)] -
                before.dropped[static_cast<int>(DropReason::loss)],
            7u);
  EXPECT_EQ(c.retries, 6u);
  EXPECT_EQ(c.unacked, 1u);
}

TEST(TopologyAck, RetriesTurnHalfLossIntoAlmostNone) {
  MediumSession router(pair_with_loss(0.5), 3);
  bind_all(router);
  int acked = 0;
  std::uint64_t attempts = 0;
  constexpr int kFrames = 2000;
  for (int i = 0; i < kFrames; ++i) {
    const Routed r = route(router, 1, unicast(1, node_mac(2)), 7, static_cast<std::uint64_t>(i));
    acked += r.ack.outcome.acked ? 1 : 0;
    attempts += r.ack.outcome.attempts;
    EXPECT_EQ(r.out.deliveries.size(), r.ack.outcome.acked ? 1u : 0u);  // delivered at most once
  }
  // Residual loss 0.5^7 = 0.8 %: ~16 of 2000; mean attempts ~2.
  EXPECT_GT(acked, kFrames - 45);
  EXPECT_GT(attempts, 1.8 * kFrames);
  EXPECT_LT(attempts, 2.2 * kFrames);
  EXPECT_EQ(router.counters().at(0, 1).acked, static_cast<std::uint64_t>(acked));
}

TEST(TopologyAck, NoAckFromADeafNodeOrAnUnknownAddress) {
  MediumSession router(pair_with_loss(0.0), 1);
  bind_all(router);
  const Routed deaf = route(router, 1, unicast(1, node_mac(3)), 5);  // no a-c link
  EXPECT_FALSE(deaf.ack.outcome.acked);
  EXPECT_EQ(deaf.ack.outcome.attempts, 5u);
  EXPECT_EQ(router.counters().at(0, 2).retries, 0u);  // deaf: no retries on the counters
  const Routed nobody = route(router, 1, unicast(1, wire::MacAddress{{0x06, 1, 2, 3, 4, 5}}), 5);
  EXPECT_FALSE(nobody.ack.outcome.acked);
}

TEST(TopologyAck, AddressesOutsideThePrefixSchemeAreLearnedFromWhatNodesSend) {
  MediumSession router(pair_with_loss(0.0), 1);
  bind_all(router);
  const wire::MacAddress custom{{0x0a, 0xbb, 0xcc, 0, 0, 2}};
  EXPECT_FALSE(route(router, 1, unicast(1, custom), 3).ack.outcome.acked);
  // b sends a frame with its custom interface address as addr2.
  route(router, 2, unicast(2, node_mac(1), custom), 3);
  const Routed r = route(router, 1, unicast(1, custom), 3);
  EXPECT_TRUE(r.ack.outcome.acked);
  ASSERT_EQ(r.out.deliveries.size(), 1u);
  EXPECT_EQ(r.out.deliveries[0].to_node, medium::NodeId{1});
}

TEST(TopologyAck, UnboundSenderIsNotAcked) {
  MediumSession router(pair_with_loss(0.0), 1);
  const Routed r = route(router, 1, unicast(9, node_mac(2)), 4);
  EXPECT_FALSE(r.ack.outcome.acked);
  EXPECT_EQ(r.ack.outcome.attempts, 4u);
}

TEST(TopologyAck, StatsJsonShowsTxStatusOnlyWhereDecided) {
  MediumSession router(pair_with_loss(1.0), 1);
  bind_all(router);
  EXPECT_EQ(router.stats_json().find("tx_status"), std::string::npos);
  route(router, 1, unicast(1, node_mac(2)), 3);
  EXPECT_NE(router.stats_json().find(R"("tx_status":{"acked":0,"unacked":1,"retries":2})"),
            std::string::npos)
      << router.stats_json();
}

}  // namespace
}  // namespace vmesh::relay
