// A point-in-time copy of the relay's counters, taken by the event loop and turned into
// text by the JSON-lines stats writer and the Prometheus endpoint. Plain values only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "relay/core/link_counters.hpp"

namespace vmesh::relay {

// One directed link of the topology medium.
struct LinkSample {
  medium::NodeId from_node = 0;
  medium::NodeId to_node = 0;
  std::string from;
  std::string to;
  LinkCounter counter;
  std::uint32_t delay_queue_frames = 0;  // deliveries waiting for this link's delay
};

// One connected client or spy.
struct ClientSample {
  std::uint32_t id = 0;             // vwifi id
  std::string kind;                 // "client" or "spy"
  std::string address;              // "127.0.0.1:40312" or "vsock:5"
  std::optional<std::string> node;  // topology node it is bound to
  std::uint64_t frames_in = 0;      // messages received from it
  std::uint64_t bytes_in = 0;
  std::uint64_t frames_out = 0;  // messages queued for it
  std::uint64_t bytes_out = 0;
  std::uint64_t frames_dropped = 0;    // refused by its full send queue
  std::uint64_t send_queue_bytes = 0;  // bytes waiting to be sent to it now
};

struct StatsSnapshot {
  std::uint64_t relay_ms = 0;     // since the relay started listening
  std::uint64_t unix_ms = 0;      // wall clock
  bool topology = false;          // topology medium (links filled) or vwifi's medium
  std::vector<LinkSample> links;  // pairs that saw traffic, in node order
  std::uint64_t unbound_frames = 0;
  std::vector<ClientSample> clients;
  std::uint64_t frames_in = 0;     // every message from clients and spies
  std::uint64_t deliveries = 0;    // vwifi medium: receivers a frame was given to
  std::uint64_t dropped_loss = 0;  // vwifi medium: lost to its distance loss
  std::uint32_t clients_connected = 0;
  std::uint32_t spies_connected = 0;
};

// The links of `counters` that saw traffic (sent, or deaf drops), as LinkSamples without
// queue depths. Does not throw except bad_alloc.
std::vector<LinkSample> link_samples(const LinkCounters& counters,
                                     const medium::Topology& topology);

}  // namespace vmesh::relay
