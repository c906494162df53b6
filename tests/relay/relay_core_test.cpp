#include "relay/core/relay_core.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/wire/message_builder.hpp"

namespace vmesh::relay {
namespace {

std::vector<std::uint8_t> frame_message(std::int8_t power, std::uint32_t freq = 2412) {
  std::vector<std::uint8_t> out;
  wire::MessageBuilder b(out, power, wire::HwsimCmd::frame, {});
  b.put(wire::HwsimAttr::frame, std::vector<std::uint8_t>(24, 0));
  b.put_u32(wire::HwsimAttr::freq, freq);
  b.finish();
  return out;
}

std::vector<Slot> receivers(const std::vector<Fanout>& out) {
  std::vector<Slot> slots;
  for (const auto& f : out) slots.push_back(f.receiver);
  std::sort(slots.begin(), slots.end());
  return slots;
}

TEST(RelayCore, FansOutToEveryOtherClientAndSpyButNeverTheSender) {
  RelayCore core({}, 1);
  core.attach(1, PeerKind::client, 10);
  core.attach(2, PeerKind::client, 11);
  core.attach(3, PeerKind::client, 12);
  core.attach(9, PeerKind::spy, 13);
  std::vector<Fanout> out;
  core.route(2, frame_message(10), out);
  EXPECT_EQ(receivers(out), (std::vector<Slot>{1, 3, 9}));
}

TEST(RelayCore, ClientsGetComputedSignalSpiesRawPower) {
  RelayCore core({}, 1);
  core.attach(1, PeerKind::client, 10);
  core.attach(2, PeerKind::client, 11);
  core.attach(9, PeerKind::spy, 13);
  core.handle_control(
      {.order = ControlOrder::change_coordinate, .cid = 11, .coordinates = {100, 0, 0}});
  std::vector<Fanout> out;
  core.route(1, frame_message(10), out);
  for (const auto& f : out) {
    if (f.receiver == 2) {
      EXPECT_EQ(f.power_dbm, -70);  // 10 - FSPL(100 m, 2412 MHz) = 10 - 80
    } else {
      EXPECT_EQ(f.power_dbm, 10);
    }
  }
  EXPECT_EQ(out.size(), 2u);
}

TEST(RelayCore, SpyFramesReachEveryoneUnchanged) {
  RelayCore core({}, 1);
  core.attach(1, PeerKind::client, 10);
  core.attach(2, PeerKind::client, 11);
  core.attach(9, PeerKind::spy, 13);
  std::vector<Fanout> out;
  core.route(9, frame_message(-5), out);
  EXPECT_EQ(receivers(out), (std::vector<Slot>{1, 2}));
  for (const auto& f : out) EXPECT_EQ(f.power_dbm, -5);
}

TEST(RelayCore, LossSwitchDropsFarFramesOnly) {
  RelayCore core({}, 7);
  core.attach(1, PeerKind::client, 10);
  core.attach(2, PeerKind::client, 11);
  core.attach(3, PeerKind::client, 12);
  core.handle_control(
      {.order = ControlOrder::change_coordinate, .cid = 12, .coordinates = {100000, 0, 0}});
  core.handle_control({.order = ControlOrder::packet_loss, .loss_enabled = true});
  std::vector<Fanout> out;
  for (int i = 0; i < 200; ++i) core.route(1, frame_message(10), out);
  // Slot 2 is at distance 0 (-10 dBm: never lost); slot 3 is 100 km away (-128: always lost).
  EXPECT_EQ(std::count_if(out.begin(), out.end(), [](auto& f) { return f.receiver == 2; }), 200);
  EXPECT_EQ(std::count_if(out.begin(), out.end(), [](auto& f) { return f.receiver == 3; }), 0);
  EXPECT_EQ(core.counters().dropped_loss, 200u);
}

TEST(RelayCore, DistanceOrderReportsUnknownIds) {
  RelayCore core({}, 1);
  core.attach(1, PeerKind::client, 10);
  EXPECT_EQ(core.handle_control({.order = ControlOrder::distance, .cid = 99, .cid2 = 10}).reply,
            encode_distance_reply(-1, 0));
  EXPECT_EQ(core.handle_control({.order = ControlOrder::distance, .cid = 10, .cid2 = 99}).reply,
            encode_distance_reply(-2, 0));
}

TEST(RelayCore, CloseAllIsReportedToTheLoop) {
  RelayCore core({}, 1);
  EXPECT_TRUE(core.handle_control({.order = ControlOrder::close_all}).close_all_peers);
  EXPECT_FALSE(core.handle_control({.order = ControlOrder::show}).close_all_peers);
}

}  // namespace
}  // namespace vmesh::relay
