#include "relay/core/control_protocol.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace vmesh::relay {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(ControlProtocol, ParsesChangeCoordinateFromDocumentedBytes) {
  const Bytes bytes = {3, 0, 0, 0, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 3, 0, 0, 0};
  const ControlParse p = parse_control_request(bytes);
  ASSERT_EQ(p.status, ControlParseStatus::complete);
  EXPECT_EQ(p.consumed, bytes.size());
  EXPECT_EQ(p.request.order, ControlOrder::change_coordinate);
  EXPECT_EQ(p.request.cid, 10u);
  EXPECT_EQ(p.request.coordinates, (Coordinates{1, -2, 3}));
}

TEST(ControlProtocol, NeedsMoreUntilEveryArgumentArrived) {
  const Bytes full = encode_control_request({.order = ControlOrder::distance, .cid = 5, .cid2 = 6});
  ASSERT_EQ(full.size(), 12u);
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    EXPECT_EQ(parse_control_request(std::span(full).first(cut)).status,
              ControlParseStatus::need_more);
  }
  EXPECT_EQ(parse_control_request(full).status, ControlParseStatus::complete);
}

TEST(ControlProtocol, SetNameCarriesLengthThenNameAndNul) {
  const Bytes bytes =
      encode_control_request({.order = ControlOrder::set_name, .cid = 7, .name = "n1"});
  const Bytes expected = {4, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 'n', '1', 0};
  EXPECT_EQ(bytes, expected);
  const ControlParse p = parse_control_request(bytes);
  ASSERT_EQ(p.status, ControlParseStatus::complete);
  EXPECT_EQ(p.request.name, "n1");
}

TEST(ControlProtocol, RejectsUnknownOrderAndHugeName) {
  EXPECT_EQ(parse_control_request(Bytes{42, 0, 0, 0}).status, ControlParseStatus::invalid);
  const Bytes huge = {4, 0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0};  // 65536 bytes
  const ControlParse p = parse_control_request(huge);
  EXPECT_EQ(p.status, ControlParseStatus::invalid);
  EXPECT_NE(p.error.find("65536"), std::string::npos);
}

TEST(ControlProtocol, ScaleAndLossArguments) {
  auto p = parse_control_request(
      encode_control_request({.order = ControlOrder::set_scale, .scale = 2.5}));
  EXPECT_DOUBLE_EQ(p.request.scale, 2.5);
  p = parse_control_request(Bytes{5, 0, 0, 0, 1, 0, 0, 0});
  EXPECT_TRUE(p.request.loss_enabled);
}

TEST(ControlProtocol, ListReplyLayout) {
  PeerRegistry peers;
  peers.attach(1, PeerKind::client, 300);
  peers.set_coordinates(300, {1, 2, 3});
  peers.set_name(300, "ab");
  peers.attach(2, PeerKind::client, 301);
  const Bytes reply = encode_list_reply(peers);
  const Bytes expected = {
      0,    0, 0, 0,                                                               // 0 spies
      2,    0, 0, 0,                                                               // 2 clients
      0x2c, 1, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 'a', 'b', 0,  // 300
      0x2d, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,               // 301
  };
  EXPECT_EQ(reply, expected);
}

TEST(ControlProtocol, ShowStatusDistanceLayouts) {
  Bytes show = encode_show_reply(true, 1.0, false);
  ASSERT_EQ(show.size(), 10u);
  EXPECT_EQ(show[0], 1);
  double scale = 0;
  std::memcpy(&scale, show.data() + 1, 8);
  EXPECT_DOUBLE_EQ(scale, 1.0);
  EXPECT_EQ(show[9], 0);

  Bytes status = encode_status_reply(false, 2.0, 8211, 8212, 15, true);
  ASSERT_EQ(status.size(), 1u + 8u + 2u + 2u + 4u + 1u);
  EXPECT_EQ(status[9] | status[10] << 8, 8211);
  EXPECT_EQ(status[11] | status[12] << 8, 8212);
  EXPECT_EQ(status[13], 15);
  EXPECT_EQ(status[17], 1);
  EXPECT_EQ(encode_status_reply(false, 2.0, std::nullopt, 8212, 15, true).size(), 16u);

  EXPECT_EQ(encode_distance_reply(-1, 0), (Bytes{0xff, 0xff, 0xff, 0xff}));
  const Bytes d = encode_distance_reply(0, 5.0);
  ASSERT_EQ(d.size(), 12u);
  std::memcpy(&scale, d.data() + 4, 8);
  EXPECT_DOUBLE_EQ(scale, 5.0);
}

}  // namespace
}  // namespace vmesh::relay
