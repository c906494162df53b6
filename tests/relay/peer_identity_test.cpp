#include "relay/core/peer_identity.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace vmesh::relay {
namespace {

std::uint32_t ip(const char* text) {
  in_addr a{};
  inet_pton(AF_INET, text, &a);
  return a.s_addr;
}

TEST(PeerIdentity, HashesIpv4AsVwifiDoes) {
  EXPECT_EQ(tcp_peer_id(ip("127.0.0.1"), 0, false), 127u + 256u * 1u);
  EXPECT_EQ(tcp_peer_id(ip("10.0.2.15"), 0, false), 10u + 256u * (0u + 2u + 15u));
  EXPECT_EQ(tcp_peer_id(ip("192.168.1.1"), 0, false), 192u + 256u * (168u + 1u + 1u));
  EXPECT_EQ(tcp_peer_id(ip("255.255.255.255"), 0, false), 255u + 256u * 765u);
}

TEST(PeerIdentity, IgnoresPortWithoutUseFlag) {
  EXPECT_EQ(tcp_peer_id(ip("127.0.0.1"), htons(4000), false),
            tcp_peer_id(ip("127.0.0.1"), htons(5000), false));
}

TEST(PeerIdentity, AddsRawNetworkOrderPortWithUseFlag) {
  // Port 0x1234 is stored as bytes 12 34; read as a little-endian u16 that is 0x3412.
  const std::uint16_t raw = htons(0x1234);
  EXPECT_EQ(tcp_peer_id(ip("127.0.0.1"), raw, true), 383u + 0x3412u);
}

}  // namespace
}  // namespace vmesh::relay
