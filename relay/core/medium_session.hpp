// The topology medium of one run: binds each connection to a topology node by the
// transmitter address of its radios (or its VSOCK CID), asks the Medium who hears a frame
// and with what delay and signal, keeps per-link counters of its decisions and applies
// runtime changes (link set, reload).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/tx_status.hpp"
#include "medium/medium.hpp"
#include "relay/core/link_counters.hpp"
#include "relay/core/peer_registry.hpp"
#include "relay/core/queue_drops.hpp"
#include "relay/core/route_result.hpp"

namespace vmesh::relay {

// The medium's answer for a unicast frame whose sender wants honest TX status.
struct AckRequest {
  std::uint32_t planned_attempts = 1;  // from the frame's TX_INFO retry chain
  wire::TxOutcome outcome;             // filled in by route()
  std::int8_t signal_dbm = 0;          // of the delivered attempt, for the ACK's signal
};

class MediumSession {
 public:
  MediumSession(medium::Topology topology, std::uint64_t seed);

  // Decides one validated message (power byte first) from client `from` at now_us (µs
  // since the relay started). The first frame of a connection binds it to a node; frames
  // of connections that match no node are dropped and counted. With `ack`, the frame is a
  // unicast frame (wire::wants_medium_ack) whose sender waits for the medium's verdict:
  // lost attempts to the addressed node are retried up to the planned number, as a radio
  // retransmits until it hears an ACK, and `ack->outcome` says how it ended. Replaces
  // `out` with the frame's deliveries, drops, binding and capture facts (its tx_status is
  // left to the caller). No throws except bad_alloc.
  void route(Slot from, std::span<const std::uint8_t> message, std::uint64_t now_us,
             RouteResult& out, AckRequest* ack = nullptr);

  // A connection for a node whose VSOCK CID the topology names; returns its binding.
  Binding bind_cid(Slot slot, std::uint32_t cid);
  // A connection that names its node by where it arrived (a node's vhost-user socket);
  // `how` says so in the log line. `node` must be a node of the topology.
  Binding bind_node(Slot slot, medium::NodeId node, const std::string& how) {
    return bind(slot, node, how);
  }
  void unbind(Slot slot);

  // Runtime change of both directions (or one with one_way) of a link; names are node
  // names. Returns an error message, or empty on success.
  std::string set_link(const std::string& a, const std::string& b,
                       const medium::LinkOverrides& changes, bool one_way);

  // Swaps in `next` (same nodes, in the same order) without touching connections: the
  // medium is rebuilt with the run's seed and brought to now_us, so events already due in
  // `next` apply at once. Returns the differences, one line each ("n1->n2: loss 0 -> 0.3"),
  // or an error and keeps the current topology. Counters carry on.
  struct ReloadResult {
    bool ok = false;
    std::string text;  // the diff, or the error
  };
  ReloadResult reload(medium::Topology next, std::uint64_t now_us);

  void advance_to(std::uint64_t now_us) { medium_.advance_to(now_us); }
  std::optional<std::uint64_t> next_event_us() const { return medium_.next_event_us(); }
  bool start_timeline(std::uint64_t origin_us) { return medium_.start_timeline(origin_us); }
  std::optional<std::uint64_t> timeline_origin_us() const { return medium_.timeline_origin_us(); }
  std::optional<medium::NodeId> node_of(Slot slot) const;
  std::uint64_t unbound_frames() const { return unbound_frames_; }
  const medium::Topology& topology() const { return medium_.topology(); }
  // The counters of the medium's decisions (send-queue drops are not among them).
  const LinkCounters& counters() const { return counters_; }
  // The `stats` reply: {"links":[...],"unbound_frames":N}, with `queue`'s drops moved from
  // delivered to dropped.queue (see reported_counters).
  std::string stats_json(const QueueDrops& queue = QueueDrops{}) const;

 private:
  Binding bind(Slot slot, medium::NodeId node, const std::string& how);
  // Interface addresses outside the MAC-prefix scheme (a guest that set its own) are
  // learned from the addr2 of the frames each node sends.
  void learn_address(medium::NodeId sender, std::span<const std::uint8_t> frame);
  std::optional<medium::NodeId> node_of_address(const wire::MacAddress& address) const;
  void decide_ack(const medium::FrameInfo& info, std::span<const std::uint8_t> frame,
                  std::uint64_t now_us, std::vector<medium::Delivery>& decisions, AckRequest& ack);

  std::uint64_t seed_;
  medium::Medium medium_;
  LinkCounters counters_;
  std::unordered_map<Slot, medium::NodeId> node_of_slot_;
  std::vector<std::optional<Slot>> slot_of_node_;
  std::unordered_map<Slot, bool> unknown_reported_;
  std::map<wire::MacAddress, medium::NodeId> learned_addresses_;
  std::uint64_t unbound_frames_ = 0;
};

}  // namespace vmesh::relay
