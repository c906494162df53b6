// What a Router decided for one frame: everything the I/O layer carries out (deliveries
// now and later, the TX status for the sender, what the capture records) and what was
// dropped, with the reason. One result per frame; the router reuses its storage.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "medium/medium.hpp"
#include "relay/core/link_counters.hpp"
#include "relay/core/peer_registry.hpp"

namespace vmesh::relay {

// One receiver of a frame: its connection, the power byte it gets, and when.
struct RouteDelivery {
  Slot receiver = 0;
  std::int8_t power_dbm = 0;
  std::uint64_t delay_us = 0;  // 0: now; otherwise after this delay (the delay queue)
  // A delivery over a topology link from_node -> to_node: a send queue that refuses it is
  // counted on that link. Spies and the vwifi medium have no links.
  bool on_link = false;
  medium::NodeId from_node = 0;
  medium::NodeId to_node = 0;
  std::uint32_t frame_bytes = 0;  // the 802.11 frame, for the byte counters
};

// One receiver that does not get the frame.
struct RouteDrop {
  std::uint32_t receiver = 0;  // topology: the node; vwifi medium: the connection's slot
  DropReason reason = DropReason::loss;
};

// What happened when a connection's first frame named its node.
struct Binding {
  enum class Kind : std::uint8_t { none, bound, unknown_sender, node_taken } kind = Kind::none;
  std::string detail;  // for the log line
};

// What the capture writes for the frame, besides the message itself.
struct CaptureFacts {
  bool topology = false;             // verdicts describe the receivers
  std::uint32_t interface_id = 0;    // topology: the sender's node (node count if unbound)
  std::uint32_t receiver_count = 0;  // vwifi medium: how many got it
  std::uint32_t freq_mhz = 0;
  std::span<const std::uint8_t> frame;     // the 802.11 frame inside the routed message
  std::vector<medium::Delivery> verdicts;  // topology: the medium's verdict per receiver
};

struct RouteResult {
  std::vector<RouteDelivery> deliveries;  // in decision order; spies last
  std::vector<RouteDrop> drops;
  // A complete TX-status message (power byte first) for the sender, or empty.
  std::vector<std::uint8_t> tx_status;
  CaptureFacts capture;
  Binding binding;

  // Empties every part, keeping the storage.
  void clear() {
    deliveries.clear();
    drops.clear();
    tx_status.clear();
    capture.topology = false;
    capture.interface_id = 0;
    capture.receiver_count = 0;
    capture.freq_mhz = 0;
    capture.frame = {};
    capture.verdicts.clear();
    binding = {};
  }
};

}  // namespace vmesh::relay
