// Parsers of batctl, iw, ping and iperf3 output, fed with text captured from the guest.
#include "launcher/checks/output_parsers.hpp"

#include <gtest/gtest.h>

#include "launcher/checks/mesh_probe.hpp"
#include "medium/topology_parser.hpp"

namespace vmesh::launcher {
namespace {

MacAddress mac(const char* text) {
  return *MacAddress::parse(text);
}

// batctl 2022.3 in the guest (BATMAN_IV), node n1 of line3.
const char* kBatctlO =
    R"([B.A.T.M.A.N. adv 2022.3, MainIF/MAC: wlan0/02:00:00:00:01:00 (bat0/42:a5:1b:a5:eb:77 BATMAN_IV)]
   Originator        last-seen (#/255) Nexthop           [outgoingIF]
 * 02:00:00:00:02:00    0.736s   (110) 02:00:00:00:02:00 [     wlan0]
   02:00:00:00:03:00    0.900s   ( 12) 02:00:00:00:03:00 [     wlan0]
 * 02:00:00:00:03:00    0.792s   ( 30) 02:00:00:00:02:00 [     wlan0]
)";

const char* kBatctlN =
    R"([B.A.T.M.A.N. adv 2022.3, MainIF/MAC: wlan0/02:00:00:00:02:00 (bat0/6a:2e:d4:a6:8c:8b BATMAN_IV)]
IF             Neighbor              last-seen
        wlan0	  02:00:00:00:01:00    0.036s
        wlan0	  02:00:00:00:03:00    0.512s
)";

const char* kBatmanV =
    R"([B.A.T.M.A.N. adv 2022.3, MainIF/MAC: wlan0/02:00:00:00:01:00 (bat0/aa:bb:cc:dd:ee:ff BATMAN_V)]
   Originator        last-seen ( throughput)  Nexthop           [outgoingIF]
 * 02:00:00:00:03:00    0.330s (        9.8) 02:00:00:00:02:00 [     wlan0]
)";

const char* kStationDump = R"(Station 02:00:00:00:02:00 (on wlan0)
	inactive time:	36 ms
	rx packets:	291
	tx packets:	120
	tx retries:	30
	tx failed:	2
	signal:  	-50 dBm
	mesh llid:	11853
	mesh plink:	ESTAB
Station 02:00:00:00:03:00 (on wlan0)
	rx packets:	3
	mesh plink:	OPN_SNT
)";

TEST(BatctlOriginators, BestRoutesAndNextHops) {
  const auto table = parse_batctl_originators(kBatctlO);
  ASSERT_EQ(table.size(), 3u);
  EXPECT_TRUE(table[0].best);
  EXPECT_FALSE(table[1].best);
  EXPECT_EQ(best_next_hop(table, mac("02:00:00:00:03:00")), mac("02:00:00:00:02:00"));
  EXPECT_EQ(best_next_hop(table, mac("02:00:00:00:02:00")), mac("02:00:00:00:02:00"));
  EXPECT_FALSE(best_next_hop(table, mac("02:00:00:00:09:00")));
}

TEST(BatctlOriginators, BatmanVLayout) {
  const auto table = parse_batctl_originators(kBatmanV);
  ASSERT_EQ(table.size(), 1u);
  EXPECT_EQ(best_next_hop(table, mac("02:00:00:00:03:00")), mac("02:00:00:00:02:00"));
}

TEST(BatctlOriginators, ErrorTextGivesNothing) {
  EXPECT_TRUE(parse_batctl_originators("Error - mesh has not been enabled yet\n").empty());
  EXPECT_TRUE(parse_batctl_originators("").empty());
}

TEST(BatctlNeighbors, HeaderSkipped) {
  EXPECT_EQ(parse_batctl_neighbors(kBatctlN),
            (std::vector<MacAddress>{mac("02:00:00:00:01:00"), mac("02:00:00:00:03:00")}));
}

TEST(IwStationDump, PeersAndPlinkState) {
  const auto peers = parse_iw_station_dump(kStationDump);
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0].address, mac("02:00:00:00:02:00"));
  EXPECT_TRUE(peers[0].established);
  EXPECT_FALSE(peers[1].established);
  EXPECT_EQ(peers[0].tx_packets, 120u);
  EXPECT_EQ(peers[0].tx_retries, 30u);
  EXPECT_EQ(peers[0].tx_failed, 2u);
  EXPECT_EQ(peers[1].tx_packets, 0u);  // not in the dump: 0
}

TEST(Ping, BusyboxSummary) {
  const auto stats = parse_ping(R"(PING 10.13.0.3 (10.13.0.3): 56 data bytes
64 bytes from 10.13.0.3: seq=0 ttl=64 time=13.6 ms

--- 10.13.0.3 ping statistics ---
5 packets transmitted, 4 packets received, 20% packet loss
round-trip min/avg/max = 13.663/19.643/29.151 ms
)");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->transmitted, 5u);
  EXPECT_EQ(stats->received, 4u);
  EXPECT_NEAR(stats->loss_prob(), 0.2, 1e-9);
  ASSERT_TRUE(stats->avg_rtt_ms);
  EXPECT_DOUBLE_EQ(*stats->avg_rtt_ms, 19.643);
}

TEST(Ping, IputilsSummaryAndTotalLoss) {
  const auto stats =
      parse_ping("3 packets transmitted, 0 received, 100% packet loss, time 2041ms\n");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->received, 0u);
  EXPECT_DOUBLE_EQ(stats->loss_prob(), 1.0);
  EXPECT_FALSE(parse_ping("ping: bad address 'x'\n"));
  EXPECT_FALSE(stats->avg_rtt_ms) << "no replies, no round-trip time";
  const auto iputils = parse_ping(
      "2 packets transmitted, 2 received, 0% packet loss, time 1001ms\n"
      "rtt min/avg/max/mdev = 100.211/104.500/108.789/4.289 ms\n");
  ASSERT_TRUE(iputils && iputils->avg_rtt_ms);
  EXPECT_DOUBLE_EQ(*iputils->avg_rtt_ms, 104.5);
}

TEST(Iperf3, ReceivedThroughput) {
  const auto mbps = parse_iperf3_json_mbps(R"({"start":{},"intervals":[],
    "end":{"sum_sent":{"bits_per_second":2.5e7},"sum_received":{"bits_per_second":2.0e7}}})");
  ASSERT_TRUE(mbps);
  EXPECT_DOUBLE_EQ(*mbps, 20.0);
  EXPECT_FALSE(parse_iperf3_json_mbps(R"({"error":"unable to connect to server"})"));
  EXPECT_FALSE(parse_iperf3_json_mbps("not json"));
}

const char* kBatctlTg =
    R"([B.A.T.M.A.N. adv 2022.3, MainIF/MAC: wlan0/02:00:00:00:01:00 (bat0/42:a5:1b:a5:eb:77 BATMAN_IV)]
   Client             VID Flags Last ttvn     Via        ttvn  (CRC       )
 * 6a:2e:d4:a6:8c:8b    1 [....] (  2) 02:00:00:00:02:00 (  2) (0x7236f6d0)
 * ae:46:0f:fb:be:1d    1 [....] (  2) 02:00:00:00:03:00 (  2) (0xd85ef8a8)
)";

TEST(MeshProbe, SplitsTheCombinedOutputAndJudgesReach) {
  const auto topology = medium::parse_topology(
      "[medium]\ndefault = "
      "\"none\"\n[[node]]\nname=\"n1\"\n[[node]]\nname=\"n2\"\n[[node]]\nname=\"n3\"\n"
      "[[link]]\nnodes=[\"n1\",\"n2\"]\n[[link]]\nnodes=[\"n2\",\"n3\"]\n",
      "line3.toml");
  const std::string without_tt =
      std::string(kBatctlN) + "@@vmesh@@\n" + kBatctlO + "@@vmesh@@\n" + kStationDump;
  // Routes alone are not enough: until n3's bridge is in the translation table, IP fails.
  EXPECT_FALSE(reaches_all(topology, parse_node_mesh_state(without_tt),
                           nodes_to_reach(topology, 3, 0, true)));
  const auto state = parse_node_mesh_state(without_tt + "@@vmesh@@\n" + kBatctlTg);
  EXPECT_EQ(state.client_origins.size(), 2u);
  EXPECT_EQ(state.neighbors.size(), 2u);
  EXPECT_EQ(state.originators.size(), 3u);
  EXPECT_EQ(state.peers.size(), 2u);
  EXPECT_TRUE(reaches_all(topology, state, nodes_to_reach(topology, 3, 0, true)));
  EXPECT_EQ(node_of_address(topology, 3, mac("42:00:00:00:03:00")), medium::NodeId{2});
  const auto partial = parse_node_mesh_state(std::string(kBatctlN) + "@@vmesh@@\n");
  EXPECT_FALSE(reaches_all(topology, partial, nodes_to_reach(topology, 3, 0, true)));
}

TEST(MeshProbe, ReachFollowsTheLinkGraph) {
  const auto topology = medium::parse_topology(
      "[medium]\ndefault = "
      "\"none\"\n[[node]]\nname=\"a\"\n[[node]]\nname=\"b\"\n[[node]]\nname=\"c\"\n"
      "[[link]]\nnodes=[\"a\",\"b\"]\n",
      "split.toml");
  EXPECT_EQ(nodes_to_reach(topology, 3, 0, true), (std::vector<medium::NodeId>{1}));
  EXPECT_TRUE(nodes_to_reach(topology, 3, 2, true).empty());
  EXPECT_EQ(nodes_to_reach(topology, 3, 2, false), (std::vector<medium::NodeId>{0, 1}));
}

}  // namespace
}  // namespace vmesh::launcher
