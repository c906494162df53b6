#include "relay/core/medium_session.hpp"

#include <gtest/gtest.h>

#include "base/wire/message_builder.hpp"
#include "medium/topology_parser.hpp"

namespace vmesh::relay {
namespace {

medium::Topology line3() {
  return medium::parse_topology(R"(
[meta]
name = "t"
[medium]
default = "none"
[[node]]
name = "n1"
[[node]]
name = "n2"
[[node]]
name = "n3"
[[link]]
nodes = ["n1", "n2"]
delay = "5ms"
[[link]]
nodes = ["n2", "n3"]
)",
                                "t.toml");
}

std::vector<std::uint8_t> frame_from(std::uint8_t node) {
  std::vector<std::uint8_t> out;
  wire::MessageBuilder b(out, 10, wire::HwsimCmd::frame, {});
  wire::MacAddress tx;
  tx.bytes = {0x42, 0, 0, 0, node, 0};
  b.put_mac(wire::HwsimAttr::addr_transmitter, tx);
  b.put(wire::HwsimAttr::frame,
        std::vector<std::uint8_t>{0x08, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  b.finish();
  return out;
}

TEST(MediumSession, BindsByTransmitterAndRoutesOnlyOverLinks) {
  MediumSession router(line3(), 1);
  RouteResult out;  // replaced by every route()
  for (Slot s = 1; s <= 3; ++s)
    router.route(s * 10, frame_from(static_cast<std::uint8_t>(s)), 0, out);
  EXPECT_EQ(router.node_of(10), medium::NodeId{0});
  EXPECT_EQ(router.node_of(30), medium::NodeId{2});

  router.route(10, frame_from(1), 1000, out);
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0].receiver, 20u);
  EXPECT_EQ(out.deliveries[0].delay_us, 5000u);

  router.route(20, frame_from(2), 2000, out);
  EXPECT_EQ(out.deliveries.size(), 2u);
}

TEST(MediumSession, UnknownSenderIsReportedOnceAndDropped) {
  MediumSession router(line3(), 1);
  RouteResult out;  // replaced by every route()
  router.route(5, frame_from(9), 0, out);
  EXPECT_EQ(out.binding.kind, Binding::Kind::unknown_sender);
  router.route(5, frame_from(9), 0, out);
  EXPECT_EQ(out.binding.kind, Binding::Kind::none);
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_EQ(router.unbound_frames(), 2u);
}

TEST(MediumSession, NewestConnectionOfANodeWins) {
  MediumSession router(line3(), 1);
  RouteResult out;  // replaced by every route()
  router.route(1, frame_from(1), 0, out);
  router.route(2, frame_from(2), 0, out);
  router.route(7, frame_from(2), 0, out);  // n2's guest reconnected
  EXPECT_NE(out.binding.detail.find("replacing"), std::string::npos);
  router.route(1, frame_from(1), 10, out);
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0].receiver, 7u);
  router.unbind(7);
  router.route(1, frame_from(1), 20, out);
  EXPECT_TRUE(out.deliveries.empty());
}

TEST(MediumSession, SetLinkByNameAndErrors) {
  MediumSession router(line3(), 1);
  medium::LinkOverrides deaf;
  deaf.loss_prob = 1.0;
  EXPECT_EQ(router.set_link("n1", "n2", deaf, false), "");
  EXPECT_EQ(router.set_link("n1", "zz", deaf, false), "unknown node 'zz'");
  EXPECT_EQ(router.set_link("n1", "n1", deaf, false), "a link needs two different nodes");
  RouteResult out;  // replaced by every route()
  router.route(1, frame_from(1), 0, out);
  router.route(2, frame_from(2), 0, out);
  router.route(1, frame_from(1), 10, out);
  EXPECT_TRUE(out.deliveries.empty());
  EXPECT_NE(router.stats_json().find(R"("loss":)"), std::string::npos);
}

}  // namespace
}  // namespace vmesh::relay

namespace vmesh::relay {
namespace {

TEST(MediumSession, ReloadReportsTheDiffAndKeepsBindings) {
  MediumSession router(line3(), 1);
  RouteResult out;  // replaced by every route()
  for (Slot s = 1; s <= 3; ++s) router.route(s, frame_from(static_cast<std::uint8_t>(s)), 0, out);
  auto next = medium::parse_topology(R"(
[meta]
name = "t"
[medium]
default = "none"
[[node]]
name = "n1"
[[node]]
name = "n2"
[[node]]
name = "n3"
[[link]]
nodes = ["n1", "n2"]
delay = "20ms"
loss = 0.1
[[link]]
nodes = ["n1", "n3"]
)",
                                     "next.toml");
  const auto result = router.reload(next, 1000);
  ASSERT_TRUE(result.ok) << result.text;
  EXPECT_NE(result.text.find("n1->n2: loss 0 -> 0.1, delay 5ms -> 20ms"), std::string::npos)
      << result.text;
  EXPECT_NE(result.text.find("n1->n3: link added"), std::string::npos) << result.text;
  EXPECT_NE(result.text.find("n2->n3: link removed"), std::string::npos) << result.text;
  router.route(3, frame_from(3), 2000, out);  // n3 keeps its binding and now reaches n1 only
  ASSERT_EQ(out.deliveries.size(), 1u);
  EXPECT_EQ(out.deliveries[0].receiver, 1u);
}

TEST(MediumSession, ReloadRefusesOtherNodes) {
  MediumSession router(line3(), 1);
  auto other = medium::parse_topology(
      "[meta]\nname = \"o\"\n[[node]]\nname = \"n1\"\n[[node]]\nname = \"x\"\n", "o.toml");
  const auto result = router.reload(other, 0);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.text.find("keep the 3 nodes"), std::string::npos) << result.text;
}

}  // namespace
}  // namespace vmesh::relay
