// A [[check]] of a topology file: what `vmesh run` verifies on the live nodes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "medium/topology.hpp"

namespace vmesh::launcher {

enum class CheckKind : std::uint8_t { ping, neighbors, route, iperf, associated, uplink };

struct Check {
  CheckKind kind = CheckKind::ping;
  medium::NodeId from = 0;
  medium::NodeId to = 0;
  medium::NodeId via = 0;  // route; uplink: the gateway expected (with has_via)
  bool has_via = false;    // uplink
  // associated: from = the station, to = the access point.
  std::uint32_t count = 5;           // ping
  double max_loss_prob = 0.0;        // ping
  double min_loss_prob = 0.0;        // ping: 1.0 checks that `to` is unreachable
  std::optional<double> min_rtt_ms;  // ping: bounds on the average round trip
  std::optional<double> max_rtt_ms;
  double min_mbps = 0.0;  // iperf
  std::string neighbors;  // neighbors: "topology"
  std::optional<std::uint64_t> deadline_us;
  // Not before this time of the run's timeline (as events' `at`); the deadline counts
  // from then, so the check's duration is the reaction time after an event.
  std::optional<std::uint64_t> after_us;
};

}  // namespace vmesh::launcher
