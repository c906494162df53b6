// The one interface the event loop routes through. Two implementations: VwifiRouter
// (vwifi-server's medium) and TopologyRouter (the topology medium, --topology). The loop
// hands each frame in and carries the RouteResult out; every decision about the medium
// (who hears, ACKs, spies, counters, runtime changes, what the stats say) is made here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "medium/topology.hpp"
#include "relay/core/delay_queue.hpp"
#include "relay/core/peer_identity.hpp"
#include "relay/core/queue_drops.hpp"
#include "relay/core/relay_core.hpp"
#include "relay/core/route_result.hpp"
#include "relay/core/stats_snapshot.hpp"
#include "relay/core/text_command.hpp"

namespace vmesh::relay {

// A client or spy that just connected.
struct PeerConnect {
  Slot slot = 0;
  PeerKind kind = PeerKind::client;
  Transport transport = Transport::tcp;
  PeerId id = 0;
  // The topology node the connection is by where it arrived (a node's vhost-user socket),
  // and the words for the log; nullopt: bound later (CID or transmitter address).
  std::optional<medium::NodeId> node;
  std::string node_source;
};

struct ConnectResult {
  std::optional<Slot> taken_over;  // a live connection with the same id: close it
  std::string log;                 // a binding to log, or empty
};

// One frame in.
struct RouteRequest {
  Slot from = 0;
  std::span<const std::uint8_t> message;  // validated, power byte first
  std::uint64_t now_us = 0;               // the medium's clock
  bool tx_status = false;                 // the sender takes TX statuses (hello received)
};

// A topology file parsed off the event loop, or why it could not be.
struct TopologyLoad {
  std::optional<medium::Topology> topology;
  std::string error;
};

// The answer to one text command.
struct CommandReply {
  std::string reply;      // sent back before the connection closes
  std::string log;        // logged after "control: " when not empty
  std::string load_path;  // reload: parse this file off the loop, then call finish_reload
};

class Router {
 public:
  virtual ~Router() = default;

  // Registers a peer (PeerRegistry::attach) and, for the topology medium, binds a VSOCK
  // client whose CID names a node. No throws except bad_alloc.
  virtual ConnectResult on_connect(const PeerConnect& peer) = 0;
  // Forgets a peer: registry, learned addresses, node binding. No throws.
  virtual void on_disconnect(Slot slot) = 0;
  // The client at `slot` accepted the TX-status offer: unicast destinations are learned.
  virtual void on_tx_status_client(Slot slot) = 0;

  // Decides one frame. The result is valid until the next call. No throws except
  // bad_alloc.
  virtual const RouteResult& route(const RouteRequest& request) = 0;

  // Applies timeline events due at now_us; the next one, if any, for the loop's timer.
  virtual void advance_to(std::uint64_t now_us) = 0;
  virtual std::optional<std::uint64_t> next_event_us() const = 0;
  // Starts a timeline that waits for the nodes (topology meta timeline_start = "ready") at
  // origin_us; false when there is none or it runs already.
  virtual bool start_timeline(std::uint64_t origin_us) = 0;

  // Runs a text command (`stats`, `link set`, `reload`; `capture` belongs to the I/O layer
  // and is answered with an error here). `queue`: the I/O layer's send-queue drops, for the
  // stats. A reload answers with load_path only; the caller parses that file away from the
  // loop and calls finish_reload. No throws except bad_alloc.
  virtual CommandReply run_command(const TextCommand& command, const QueueDrops& queue,
                                   std::uint64_t now_us) = 0;
  // Applies a reload once its file is parsed (or reports why it was not).
  virtual CommandReply finish_reload(const std::string& path, TopologyLoad loaded,
                                     std::uint64_t now_us) = 0;

  // Fills the medium's part of a snapshot: counters, links (with their delay-queue depth)
  // and unbound frames. The I/O layer fills times and connections.
  virtual void fill_snapshot(StatsSnapshot& snapshot, const QueueDrops& queue,
                             const DelayQueue& delayed) const = 0;
  // The node a connection is bound to, by name.
  virtual std::optional<std::string> node_name(Slot slot) const = 0;
  // The `stats` JSON for --stats-file; nullopt when the medium has no links.
  virtual std::optional<std::string> stats_json(const QueueDrops& queue) const = 0;
  // The start log line: what the medium is (empty for vwifi's, which says nothing).
  virtual std::string start_summary() const = 0;
  // The exit log line ("stopping: ...").
  virtual std::string stop_summary(std::uint64_t frames_in, const QueueDrops& queue) const = 0;
  // Capture interface names, by CaptureFacts::interface_id.
  virtual std::vector<std::string> capture_interfaces() const = 0;
  // Nodes of the topology (0 for the vwifi medium): the size of per-link tables.
  virtual std::size_t node_count() const = 0;
};

// The medium's seed: --seed when given, else the topology's, else a random one. Chosen
// once at start, so the core and the router draw from the same seed.
std::uint64_t choose_seed(std::optional<std::uint64_t> given,
                          const std::optional<medium::Topology>& topology);

// The topology medium when a topology is given, vwifi's otherwise. `core` holds the peers
// and vwifi's state and must outlive the router. No throws except bad_alloc.
std::unique_ptr<Router> make_router(RelayCore& core, std::optional<medium::Topology> topology,
                                    std::uint64_t seed);

}  // namespace vmesh::relay
