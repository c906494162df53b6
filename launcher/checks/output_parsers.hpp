// Pure parsers of the guest tools' output: batctl n / batctl o, iw station dump, ping and
// iperf3 -J. Unknown lines are skipped; nothing here throws on odd input.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/wire/mac_address.hpp"

namespace vmesh::launcher {

using vmesh::wire::MacAddress;

// Neighbour addresses from `batctl n` (with or without its header lines).
std::vector<MacAddress> parse_batctl_neighbors(std::string_view text);

struct OriginatorEntry {
  MacAddress originator;
  MacAddress next_hop;
  bool best = false;  // marked '*': the route batman-adv uses
};

// Rows of `batctl o` (B.A.T.M.A.N. IV or V layout, header lines ignored).
std::vector<OriginatorEntry> parse_batctl_originators(std::string_view text);

// The best next hop towards `originator`, if the table has a best route to it.
std::optional<MacAddress> best_next_hop(const std::vector<OriginatorEntry>& table,
                                        const MacAddress& originator);

struct MeshPeer {
  MacAddress address;
  bool established = false;  // "mesh plink: ESTAB"
  // The radio's TX counters towards this station: frames, retransmissions (from the
  // attempts the medium reported), frames never acknowledged.
  std::uint64_t tx_packets = 0;
  std::uint64_t tx_retries = 0;
  std::uint64_t tx_failed = 0;
};

// Stations of `iw dev IFACE station dump`.
std::vector<MeshPeer> parse_iw_station_dump(std::string_view text);

struct PingStats {
  std::uint32_t transmitted = 0;
  std::uint32_t received = 0;
  std::optional<double> avg_rtt_ms;  // from the "min/avg/max" line, when any reply came
  double loss_prob() const {
    return transmitted == 0 ? 1.0 : 1.0 - static_cast<double>(received) / transmitted;
  }
};

// The summary lines of busybox or iputils ping ("5 packets transmitted, 4 (packets )received",
// "round-trip min/avg/max = 1.0/2.0/3.0 ms" or "rtt min/avg/max/mdev = ...").
std::optional<PingStats> parse_ping(std::string_view text);

// Received throughput in Mbit/s from `iperf3 -c ... -J` (end.sum_received, else end.sum).
std::optional<double> parse_iperf3_json_mbps(std::string_view json_text);

}  // namespace vmesh::launcher
