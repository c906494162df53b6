// Shared pieces of the topology-mode relay tests: temporary topology files, beacon-like
// frames, and clients that join as nodes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "relay_process.hpp"
#include "test_peer.hpp"

namespace vmesh::test {

using Bytes = std::vector<std::uint8_t>;

// A topology file in a temporary directory, removed with the object.
class TopologyFile {
 public:
  explicit TopologyFile(const std::string& text);
  ~TopologyFile();
  TopologyFile(const TopologyFile&) = delete;
  TopologyFile& operator=(const TopologyFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// n1 - n2 - n3, n1 and n3 deaf to each other.
extern const char* const kLine3;

// A broadcast data frame from 02:00:00:00:<sender>:00 carrying `seq` after the header.
Bytes broadcast_frame(std::uint8_t sender, std::uint32_t seq);
// The `seq` of a message built from broadcast_frame.
std::uint32_t seq_of(const Bytes& message);

// Connects `count` clients as nodes n1..n<count> (127.0.0.11...), each sends one frame so
// the relay binds it, and drains what they received meanwhile.
std::vector<TestPeer> join_nodes(RelayProcess& relay, int count);

}  // namespace vmesh::test
