// `capture start PATH` / `capture stop` on the real relay's control socket: the file holds
// exactly the frames routed while it ran, is complete once stopped, and every refusal
// leaves the relay serving.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <regex>

#include "command_output.hpp"
#include "relay_process.hpp"
#include "test_peer.hpp"
#include "topology_fixture.hpp"

namespace vmesh::test {
namespace {

// What a walk over a pcapng file's blocks found; `valid` is false at the first block
// that does not fit (a truncated or unflushed file).
struct PcapngSummary {
  bool valid = false;
  int interfaces = 0;  // interface description blocks
  int packets = 0;     // enhanced packet blocks
};

PcapngSummary read_pcapng(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
  const auto u32 = [&b](std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
           static_cast<std::uint32_t>(b[at + 2]) << 16 |
           static_cast<std::uint32_t>(b[at + 3]) << 24;
  };
  PcapngSummary s;
  // Section header block, then its byte-order magic (the relay writes little-endian).
  if (b.size() < 28 || u32(0) != 0x0A0D0D0Au || u32(8) != 0x1A2B3C4Du) return s;
  std::size_t at = 0;
  while (at < b.size()) {
    if (b.size() - at < 12) return s;
    const std::uint32_t type = u32(at);
    const std::uint32_t length = u32(at + 4);
    if (length < 12 || length % 4 != 0 || length > b.size() - at) return s;
    if (u32(at + length - 4) != length) return s;  // the trailing copy of the length
    if (type == 1) ++s.interfaces;
    if (type == 6) ++s.packets;
    at += length;
  }
  s.valid = true;
  return s;
}

std::string json_field(const std::string& json, const std::string& key) {
  std::smatch m;
  const std::regex re("\"" + key + "\":(\"[^\"]*\"|[0-9]+)");
  return std::regex_search(json, m, re) ? m[1].str() : "";
}

// Sends `count` broadcasts n1 -> n2 and waits until n2 has them all, so the relay routed
// (and, with a capture running, submitted) every one.
void send_and_wait(std::vector<TestPeer>& peers, std::uint32_t first_seq, int count) {
  for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(count); ++i)
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, first_seq + i)));
  int received = 0;
  while (received < count && peers[1].receive(1000)) ++received;
  ASSERT_EQ(received, count);
}

TEST(RelayCaptureControl, StartAndStopCaptureExactlyTheFramesBetween) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  const std::string socket = relay.control_socket();
  const std::string pcap = relay.dir() + "/a.pcapng";
  ASSERT_EQ(pcap.front(), '/');
  auto peers = join_nodes(relay, 2);
  send_and_wait(peers, 100, 3);  // before: not captured

  ASSERT_EQ(command_exchange(socket, "capture start " + pcap + "\n"),
            "ok capturing to " + pcap + "\n");
  constexpr int kFrames = 20;
  send_and_wait(peers, 1, kFrames);
  const std::string stopped = command_exchange(socket, "capture stop\n");
  EXPECT_EQ(json_field(stopped, "path"), "\"" + pcap + "\"") << stopped;
  EXPECT_EQ(json_field(stopped, "packets"), std::to_string(kFrames)) << stopped;
  EXPECT_EQ(json_field(stopped, "dropped"), "0") << stopped;
  EXPECT_EQ(stopped.back(), '\n');
  send_and_wait(peers, 200, 3);  // after: not captured either

  // Complete on disk while the relay still runs: no exit needed to read it.
  const PcapngSummary file = read_pcapng(pcap);
  EXPECT_TRUE(file.valid);
  EXPECT_EQ(file.interfaces, 4);  // n1, n2, n3, unbound
  EXPECT_EQ(file.packets, kFrames);
  if (std::system("command -v tshark >/dev/null 2>&1") == 0) {
    const std::string names =
        command_output("tshark -r " + pcap + " -T fields -e frame.interface_name 2>/dev/null");
    std::string expected;
    for (int i = 0; i < kFrames; ++i) expected += "n1\n";
    EXPECT_EQ(names, expected);
  } else {
    std::fprintf(stderr, "tshark is not installed: the file's blocks were checked, not tshark\n");
  }
  const std::string log = relay.log();
  EXPECT_NE(log.find("control: capture start: capturing to " + pcap), std::string::npos) << log;
  EXPECT_NE(log.find("control: capture stop: " + pcap + ": 20 packets"), std::string::npos) << log;
}

TEST(RelayCaptureControl, OneCaptureAtATimeIncludingPcap) {
  TopologyFile topo(kLine3);
  const std::string first = topo.path() + ".pcapng";
  RelayProcess relay({"--topology", topo.path(), "--pcap", first});
  const std::string socket = relay.control_socket();
  const std::string second = relay.dir() + "/b.pcapng";
  EXPECT_EQ(command_exchange(socket, "capture start " + second + "\n"),
            "error: capture already running to " + first + "; 'capture stop' first\n");
  EXPECT_EQ(json_field(command_exchange(socket, "capture stop\n"), "path"), "\"" + first + "\"");
  EXPECT_EQ(command_exchange(socket, "capture stop\n"), "error: no capture running\n");
  EXPECT_EQ(command_exchange(socket, "capture start " + second + "\n"),
            "ok capturing to " + second + "\n");
  EXPECT_EQ(command_exchange(socket, "capture start " + first + "\n"),
            "error: capture already running to " + second + "; 'capture stop' first\n");
  EXPECT_EQ(relay.stop(), 0);
  EXPECT_NE(relay.log().find("capture: 0 packets"), std::string::npos) << relay.log();
  EXPECT_TRUE(read_pcapng(first).valid);
  EXPECT_TRUE(read_pcapng(second).valid);
  std::remove(first.c_str());
}

TEST(RelayCaptureControl, RefusalsLeaveTheRelayServing) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  const std::string socket = relay.control_socket();
  EXPECT_EQ(command_exchange(socket, "capture stop\n"), "error: no capture running\n");
  EXPECT_EQ(command_exchange(socket, "capture start run/a.pcapng\n"),
            "error: capture start: run/a.pcapng must be absolute\n");
  EXPECT_EQ(command_exchange(socket, "capture start /proc/x/y\n"),
            "error: capture start: cannot open /proc/x/y: No such file or directory\n");
  EXPECT_EQ(command_exchange(socket, "capture stop\n"), "error: no capture running\n");
  EXPECT_EQ(command_exchange(socket, "stats\n").rfind("{\"links\":", 0), 0u);
  auto peers = join_nodes(relay, 2);
  send_and_wait(peers, 1, 3);
  EXPECT_NE(relay.log().find("control: capture start /proc/x/y: cannot open it"), std::string::npos)
      << relay.log();
}

TEST(RelayCaptureControl, WorksWithoutATopology) {
  RelayProcess relay;
  const std::string pcap = relay.dir() + "/vwifi.pcapng";
  TestPeer a(relay.tcp_port, "127.0.0.11");
  TestPeer b(relay.tcp_port, "127.0.0.12");
  relay.wait_for_peers(2);
  ASSERT_EQ(command_exchange(relay.control_socket(), "capture start " + pcap + "\n"),
            "ok capturing to " + pcap + "\n");
  for (std::uint32_t seq = 1; seq <= 5; ++seq)
    a.send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
  int received = 0;
  while (received < 5 && b.receive(1000)) ++received;
  ASSERT_EQ(received, 5);
  const std::string stopped = command_exchange(relay.control_socket(), "capture stop\n");
  EXPECT_EQ(json_field(stopped, "packets"), "5") << stopped;
  const PcapngSummary file = read_pcapng(pcap);
  EXPECT_TRUE(file.valid);
  EXPECT_EQ(file.interfaces, 1);  // "medium"
  EXPECT_EQ(file.packets, 5);
}

}  // namespace
}  // namespace vmesh::test
