#include "relay/core/peer_registry.hpp"

#include <gtest/gtest.h>

namespace vmesh::relay {
namespace {

TEST(PeerRegistry, AttachAndDetach) {
  PeerRegistry r;
  EXPECT_FALSE(r.attach(1, PeerKind::client, 100));
  EXPECT_FALSE(r.attach(2, PeerKind::spy, 100));  // spies and clients are separate
  EXPECT_EQ(r.count(PeerKind::client), 1u);
  EXPECT_EQ(r.count(PeerKind::spy), 1u);
  EXPECT_TRUE(r.detach(1));
  EXPECT_FALSE(r.detach(1));
  EXPECT_EQ(r.find(1), nullptr);
  ASSERT_NE(r.find(2), nullptr);
}

TEST(PeerRegistry, SameIdTakesOverAndInheritsCoordinatesAndName) {
  PeerRegistry r;
  r.attach(1, PeerKind::client, 100);
  r.set_coordinates(100, {5, 6, 7});
  r.set_name(100, "node-one");
  const auto old = r.attach(2, PeerKind::client, 100);
  ASSERT_TRUE(old);
  EXPECT_EQ(*old, 1u);
  EXPECT_EQ(r.find(1), nullptr);
  ASSERT_NE(r.find(2), nullptr);
  EXPECT_EQ(r.find(2)->record.coordinates, (Coordinates{5, 6, 7}));
  EXPECT_EQ(r.find(2)->record.name, "node-one");
}

TEST(PeerRegistry, SameIdByAnotherTransportIsAnotherPeer) {
  PeerRegistry r;
  EXPECT_FALSE(r.attach(1, PeerKind::client, 100, Transport::unix_socket));
  EXPECT_FALSE(r.attach(2, PeerKind::client, 100, Transport::vsock));
  EXPECT_EQ(r.count(PeerKind::client), 2u);
  const auto old = r.attach(3, PeerKind::client, 100, Transport::unix_socket);
  ASSERT_TRUE(old);
  EXPECT_EQ(*old, 1u);
  ASSERT_NE(r.find(2), nullptr);
}

TEST(PeerRegistry, RememberedRecordGoesBackOnlyToItsTransportOrAnyWhenProvisioned) {
  PeerRegistry r;
  r.attach(1, PeerKind::client, 100, Transport::tcp);
  r.set_name(100, "tcp-one");
  r.detach(1);
  r.attach(2, PeerKind::client, 100, Transport::vsock);
  EXPECT_EQ(r.find(2)->record.name, "");
  r.attach(3, PeerKind::client, 100, Transport::tcp);
  EXPECT_EQ(r.find(3)->record.name, "tcp-one");
  r.set_name(200, "named-first");  // vwifi-ctrl before the peer connects
  r.attach(4, PeerKind::client, 200, Transport::vsock);
  EXPECT_EQ(r.find(4)->record.name, "named-first");
  EXPECT_EQ(r.find(4)->record.transport, Transport::vsock);
}

TEST(PeerRegistry, ReconnectRecoversRememberedRecord) {
  PeerRegistry r;
  r.attach(1, PeerKind::client, 100);
  r.set_coordinates(100, {1, 2, 3});
  r.detach(1);
  ASSERT_EQ(r.remembered().size(), 1u);
  r.attach(7, PeerKind::client, 100);
  EXPECT_EQ(r.find(7)->record.coordinates, (Coordinates{1, 2, 3}));
  EXPECT_TRUE(r.remembered().empty());
}

TEST(PeerRegistry, RemembersOnlyTheLast15) {
  PeerRegistry r;
  for (PeerId id = 1; id <= 20; ++id) {
    r.attach(id, PeerKind::client, id);
    r.set_coordinates(id, {static_cast<std::int32_t>(id), 0, 0});
    r.detach(id);
  }
  EXPECT_EQ(r.remembered().size(), 15u);
  EXPECT_EQ(r.find_record(5), nullptr);
  ASSERT_NE(r.find_record(6), nullptr);
  EXPECT_EQ(r.find_record(20)->coordinates.x_m, 20);
}

TEST(PeerRegistry, UnknownIdIsPreProvisioned) {
  PeerRegistry r;
  r.set_coordinates(42, {9, 9, 9});
  r.attach(3, PeerKind::client, 42);
  EXPECT_EQ(r.find(3)->record.coordinates, (Coordinates{9, 9, 9}));
}

TEST(PeerRegistry, NamesKeepTwelveCharacters) {
  PeerRegistry r;
  r.set_name(10, "abcdefghijklmnop");
  EXPECT_EQ(r.find_record(10)->name, "abcdefghijkl");
}

}  // namespace
}  // namespace vmesh::relay
