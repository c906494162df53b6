// The TX-status extension against the real relay: the offer on its own port, the agent's
// hello, the medium's verdict per unicast frame, and nothing new on the vwifi port.
#include <gtest/gtest.h>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_builder.hpp"
#include "base/wire/tx_status.hpp"
#include "relay_process.hpp"
#include "test_peer.hpp"
#include "topology_fixture.hpp"

namespace vmesh::test {
namespace {

constexpr std::uint64_t kCookieBase = 1000;
const Bytes kChain = {7, 2, 5, 3, 0, 4, 0xff, 0};  // 9 attempts planned

// A unicast data frame from node `from` to node `to` as the sender's kernel hands it over.
Bytes unicast(std::uint8_t from, std::uint8_t to, std::uint64_t cookie) {
  Bytes frame = {0x08, 0x02, 0, 0, 0x02, 0, 0, 0, to, 0, 0x02, 0, 0, 0, from, 0};
  frame.resize(60, 0x5a);
  Bytes out;
  wire::MessageBuilder b(out, 10, wire::HwsimCmd::frame, {.type = 29});
  b.put_mac(wire::HwsimAttr::addr_transmitter, wire::MacAddress{{0x02, 0, 0, 0, from, 0}});
  b.put(wire::HwsimAttr::frame, frame);
  b.put_u32(wire::HwsimAttr::flags, wire::kHwsimTxCtlReqTxStatus);
  b.put_u32(wire::HwsimAttr::freq, 2412);
  b.put(wire::HwsimAttr::tx_info, kChain);
  b.put_u64(wire::HwsimAttr::cookie, cookie);
  b.finish();
  return out;
}

Bytes hello() {
  Bytes out;
  wire::append_hello(out);
  return out;
}

// Connects as node `index` on the TX-status port, checks the offer, accepts it and binds.
TestPeer join_with_status(RelayProcess& relay, std::uint8_t index) {
  TestPeer peer(relay.txstatus_port, "127.0.0." + std::to_string(10 + index));
  const auto offer = peer.receive(2000);
  EXPECT_TRUE(offer && wire::is_hello(*offer)) << "no hello offered on the TX-status port";
  peer.send_bytes(hello());
  peer.send_bytes(make_frame(index, 10, broadcast_frame(index, 0)));
  return peer;
}

void drain(TestPeer& peer) {
  while (peer.receive(50)) {
  }
}

TEST(RelayTxStatus, LosslessLinkAcksEveryUnicastFrameAtTheFirstAttempt) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  TestPeer n1 = join_with_status(relay, 1);
  TestPeer n2(relay.tcp_port, "127.0.0.12");  // a stock vwifi client on the plain port
  n2.send_bytes(make_frame(2, 10, broadcast_frame(2, 0)));
  drain(n1);
  drain(n2);

  for (std::uint64_t i = 0; i < 10; ++i) n1.send_bytes(unicast(1, 2, kCookieBase + i));
  for (std::uint64_t i = 0; i < 10; ++i) {
    const auto status = n1.receive(2000);
    ASSERT_TRUE(status) << "no status for frame " << i;
    const wire::HwsimMessage m = wire::read_hwsim_message(*status);
    EXPECT_EQ(m.genl_cmd, static_cast<std::uint8_t>(wire::HwsimCmd::tx_info_frame));
    EXPECT_EQ(m.cookie, kCookieBase + i) << "statuses come back in the frames' order";
    EXPECT_EQ(m.flags, wire::kHwsimTxCtlReqTxStatus | wire::kHwsimTxStatAck);
    EXPECT_EQ(Bytes(m.tx_info.begin(), m.tx_info.end()), (Bytes{7, 1, 0xff, 0, 0xff, 0, 0xff, 0}));
  }
  int at_n2 = 0;
  while (auto m = n2.receive(200)) {
    EXPECT_EQ(wire::read_hwsim_message(*m).genl_cmd,
              static_cast<std::uint8_t>(wire::HwsimCmd::frame))
        << "a plain vwifi client got something that is not a frame";
    ++at_n2;
  }
  EXPECT_EQ(at_n2, 10);
  EXPECT_NE(relay.log().find("TX status on"), std::string::npos) << relay.log();
}

TEST(RelayTxStatus, DeadLinkSpendsEveryAttemptAndReportsNoAck) {
  TopologyFile topo(std::string(kLine3) + "[[link]]\nfrom = \"n1\"\nto = \"n2\"\nloss = 1.0\n");
  RelayProcess relay({"--topology", topo.path()});
  TestPeer n1 = join_with_status(relay, 1);
  TestPeer n2 = join_with_status(relay, 2);
  drain(n1);
  drain(n2);
  n1.send_bytes(unicast(1, 2, 7));
  const auto status = n1.receive(2000);
  ASSERT_TRUE(status);
  const wire::HwsimMessage m = wire::read_hwsim_message(*status);
  EXPECT_EQ(m.cookie, 7u);
  EXPECT_EQ(m.flags, wire::kHwsimTxCtlReqTxStatus) << "no ACK bit on a lost frame";
  EXPECT_EQ(Bytes(m.tx_info.begin(), m.tx_info.end()), kChain) << "every planned attempt spent";
  EXPECT_FALSE(n2.receive(200));
}

TEST(RelayTxStatus, BroadcastFramesAndSilentClientsGetNoStatus) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  // A client on the TX-status port that never says hello stays a plain vwifi client.
  TestPeer quiet(relay.txstatus_port, "127.0.0.11");
  ASSERT_TRUE(quiet.receive(2000));  // the offer
  quiet.send_bytes(make_frame(1, 10, broadcast_frame(1, 0)));
  TestPeer n2 = join_with_status(relay, 2);
  drain(quiet);
  drain(n2);
  quiet.send_bytes(unicast(1, 2, 5));
  EXPECT_FALSE(quiet.receive(300)) << "status sent to a client that did not accept the offer";
  EXPECT_TRUE(n2.receive(1000)) << "the frame itself must still be relayed";
  n2.send_bytes(make_frame(2, 10, broadcast_frame(2, 1)));
  EXPECT_FALSE(n2.receive(300)) << "a broadcast frame got a status";
}

TEST(RelayTxStatus, PlainPortOffersNothing) {
  RelayProcess relay;
  TestPeer peer(relay.tcp_port, "127.0.0.11");
  EXPECT_FALSE(peer.receive(300)) << "vwifi clients must not see the hello";
}

TEST(RelayTxStatus, VwifiModeAcksWhenTheAddressedClientGotTheFrame) {
  RelayProcess relay({"-u"});
  TestPeer n1 = join_with_status(relay, 1);
  TestPeer n2 = join_with_status(relay, 2);
  drain(n1);
  drain(n2);
  // n2 made itself known by its broadcast frame's addr2 (02:00:00:00:02:00).
  n1.send_bytes(unicast(1, 2, 11));
  auto status = n1.receive(2000);
  ASSERT_TRUE(status);
  EXPECT_EQ(wire::read_hwsim_message(*status).flags,
            wire::kHwsimTxCtlReqTxStatus | wire::kHwsimTxStatAck);
  n1.send_bytes(unicast(1, 9, 12));  // nobody has that address
  status = n1.receive(2000);
  ASSERT_TRUE(status);
  EXPECT_EQ(wire::read_hwsim_message(*status).flags, wire::kHwsimTxCtlReqTxStatus);
}

}  // namespace
}  // namespace vmesh::test
