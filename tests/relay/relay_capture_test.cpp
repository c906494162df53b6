// --pcap: a capture from a real relay run, opened with tshark (skipped without it).
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <thread>

#include "command_output.hpp"
#include "relay_process.hpp"
#include "topology_fixture.hpp"

namespace vmesh::test {
namespace {

TEST(RelayCapture, TsharkSeesNodesChannelSignalAndVerdicts) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "tshark is not installed";
  TopologyFile topo(std::string(kLine3) + "[medium.defaults]\nloss = 0.0\n");
  const std::string pcap = topo.path() + ".pcapng";
  {
    RelayProcess relay({"--topology", topo.path(), "--pcap", pcap});
    auto peers = join_nodes(relay, 3);
    for (std::uint32_t seq = 1; seq <= 5; ++seq) {
      peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
      peers[2].send_bytes(make_frame(3, 7, broadcast_frame(3, seq), 2437));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(relay.stop(), 0);
  }
  const std::string fields =
      command_output("tshark -r " + pcap +
                     " -T fields -E separator='|' -e frame.interface_name -e radiotap.channel.freq"
                     " -e radiotap.dbm_antsignal -e wlan.sa -e frame.comment 2>&1");
  std::remove(pcap.c_str());
  std::istringstream lines(fields);
  int from_n1 = 0, from_n3 = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("n1|2412|10|02:00:00:00:01:00|", 0) == 0) {
      ++from_n1;
      EXPECT_NE(line.find("n2: deliver delay=0us signal=-50dBm; n3: drop_deaf"), std::string::npos)
          << line;
    } else if (line.rfind("n3|2437|7|02:00:00:00:03:00|", 0) == 0) {
      ++from_n3;
      EXPECT_NE(line.find("n1: drop_deaf; n2: deliver"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(from_n1, 6) << fields;  // the binding frame and 5 more
  EXPECT_EQ(from_n3, 5) << fields;  // its binding frame went out at 2412 MHz
}

TEST(RelayCapture, RotatesPastTheSizeCap) {
  TopologyFile topo(kLine3);
  const std::string pcap = topo.path() + ".pcapng";
  {
    RelayProcess relay({"--topology", topo.path(), "--pcap", pcap, "--pcap-max-bytes", "65536"});
    auto peers = join_nodes(relay, 3);
    for (std::uint32_t seq = 1; seq <= 1000; ++seq) {  // about 140 KB of capture
      peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    relay.stop();
    EXPECT_NE(relay.log().find("rotated"), std::string::npos) << relay.log();
  }
  FILE* current = std::fopen(pcap.c_str(), "rb");
  FILE* previous = std::fopen((pcap + ".1").c_str(), "rb");
  ASSERT_NE(current, nullptr);
  ASSERT_NE(previous, nullptr);
  std::fseek(previous, 0, SEEK_END);
  EXPECT_LE(std::ftell(previous), 65536);
  std::fclose(current);
  std::fclose(previous);
  std::remove(pcap.c_str());
  std::remove((pcap + ".1").c_str());
}

}  // namespace
}  // namespace vmesh::test
