#include "topology_fixture.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace vmesh::test {

TopologyFile::TopologyFile(const std::string& text) {
  char templ[] = "/tmp/vmesh-topology-XXXXXX.toml";
  const int fd = ::mkstemps(templ, 5);
  path_ = templ;
  ::close(fd);
  std::ofstream(path_) << text;
}

TopologyFile::~TopologyFile() {
  std::remove(path_.c_str());
}

const char* const kLine3 = R"(
[meta]
name = "line3"
seed = 1
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
[[link]]
nodes = ["n2", "n3"]
)";

Bytes broadcast_frame(std::uint8_t sender, std::uint32_t seq) {
  Bytes f = {0x08, 0x00, 0x00,   0x00, 0xff, 0xff, 0xff, 0xff, 0xff,   0xff, 0x02, 0x00,
             0x00, 0x00, sender, 0x00, 0x02, 0x00, 0x00, 0x00, sender, 0x00, 0x00, 0x00};
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<std::uint8_t>(seq >> (8 * i)));
  return f;
}

std::uint32_t seq_of(const Bytes& message) {
  // power, nlmsghdr + genlmsghdr, the 12-byte transmitter attribute, the frame's header.
  const std::size_t frame_at = 1 + 20 + 12 + 4;
  std::uint32_t seq = 0;
  for (std::size_t i = 0; i < 4; ++i) seq |= std::uint32_t{message[frame_at + 24 + i]} << (8 * i);
  return seq;
}

std::vector<TestPeer> join_nodes(RelayProcess& relay, int count) {
  std::vector<TestPeer> peers;
  for (int i = 1; i <= count; ++i)
    peers.emplace_back(relay.tcp_port, "127.0.0." + std::to_string(10 + i));
  relay.wait_for_peers(static_cast<std::uint32_t>(count));
  for (int i = 1; i <= count; ++i) {
    const auto node = static_cast<std::uint8_t>(i);
    peers[static_cast<std::size_t>(i - 1)].send_bytes(
        make_frame(node, 10, broadcast_frame(node, 0)));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (auto& p : peers) {
    while (p.receive(20)) {
    }
  }
  return peers;
}

}  // namespace vmesh::test
