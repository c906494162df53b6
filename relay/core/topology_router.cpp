#include "relay/core/topology_router.hpp"

#include <fmt/format.h>

#include <random>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/tx_status.hpp"

namespace vmesh::relay {

TopologyRouter::TopologyRouter(RelayCore& core, medium::Topology topology, std::uint64_t seed)
    : core_(core), seed_(seed), session_(std::move(topology), seed), spies_(core) {}

ConnectResult TopologyRouter::on_connect(const PeerConnect& peer) {
  ConnectResult result{core_.attach(peer.slot, peer.kind, peer.id, peer.transport), {}};
  if (peer.kind == PeerKind::client && peer.node) {
    result.log = session_.bind_node(peer.slot, *peer.node, peer.node_source).detail;
  } else if (peer.kind == PeerKind::client && peer.transport == Transport::vsock) {
    const Binding b = session_.bind_cid(peer.slot, peer.id);
    if (b.kind != Binding::Kind::none) result.log = b.detail;
  }
  return result;
}

void TopologyRouter::on_disconnect(Slot slot) {
  spies_.on_disconnect(slot);
  session_.unbind(slot);
}

const RouteResult& TopologyRouter::route(const RouteRequest& request) {
  const LivePeer* sender = core_.peers().find(request.from);
  if (sender != nullptr && sender->kind == PeerKind::spy) return spies_.route(request);
  wire::HwsimMessage tx;
  AckRequest ack;
  bool ack_wanted = false;
  if (request.tx_status) {
    tx = wire::read_hwsim_message(request.message);
    ack_wanted = wire::wants_medium_ack(tx);
    ack.planned_attempts = wire::planned_attempts(tx.tx_info);
  }
  session_.route(request.from, request.message, request.now_us, result_,
                 ack_wanted ? &ack : nullptr);
  if (ack_wanted)
    wire::append_tx_status_message(result_.tx_status, tx, ack.outcome, ack.signal_dbm);
  // Spies hear everything, unchanged, at once (as with vwifi).
  const auto raw_power = static_cast<std::int8_t>(request.message[0]);
  for (const LivePeer& peer : core_.peers().live()) {
    if (peer.kind == PeerKind::spy) result_.deliveries.push_back({peer.slot, raw_power});
  }
  return result_;
}

CommandReply TopologyRouter::run_command(const TextCommand& command, const QueueDrops& queue,
                                         std::uint64_t now_us) {
  switch (command.kind) {
    case TextCommand::Kind::stats:
      return {session_.stats_json(queue) + "\n", {}, {}};
    case TextCommand::Kind::timeline_start:
      if (session_.start_timeline(now_us))
        return {"ok\n", fmt::format("timeline started at medium t = {} ms", now_us / 1000), {}};
      return {fmt::format("error: the timeline runs already (since medium t = {} ms)\n",
                          session_.timeline_origin_us().value_or(0) / 1000),
              {},
              {}};
    case TextCommand::Kind::reload:
      return {{}, {}, command.path};
    case TextCommand::Kind::link_set:
      break;
    case TextCommand::Kind::capture_start:  // the I/O layer's; never routed here
    case TextCommand::Kind::capture_stop:
    case TextCommand::Kind::vhost_handover:
      return {"error: capture and handover commands are served by the relay loop\n", {}, {}};
  }
  const std::string error =
      session_.set_link(command.node_a, command.node_b, command.changes, command.one_way);
  return {error.empty() ? "ok\n" : "error: " + error + "\n",
          fmt::format("link set {} {}{}: {}", command.node_a, command.node_b,
                      command.one_way ? " (one way)" : "", error.empty() ? "applied" : error),
          {}};
}

CommandReply TopologyRouter::finish_reload(const std::string& path, TopologyLoad loaded,
                                           std::uint64_t now_us) {
  if (!loaded.topology) return {"error: " + loaded.error + "\n", {}, {}};
  const auto result = session_.reload(std::move(*loaded.topology), now_us);
  return {result.ok ? result.text + "ok\n" : "error: " + result.text + "\n",
          fmt::format("reload {}: {}", path, result.ok ? "applied" : result.text),
          {}};
}

void TopologyRouter::fill_snapshot(StatsSnapshot& snapshot, const QueueDrops& queue,
                                   const DelayQueue& delayed) const {
  spies_.fill_snapshot(snapshot, queue, delayed);
  snapshot.topology = true;
  snapshot.links = link_samples(reported_counters(session_.counters(), queue), session_.topology());
  for (LinkSample& link : snapshot.links) {
    link.delay_queue_frames = delayed.waiting(link.from_node, link.to_node);
    snapshot.deliveries += link.counter.delivered;
  }
  snapshot.unbound_frames = session_.unbound_frames();
}

std::optional<std::string> TopologyRouter::node_name(Slot slot) const {
  const auto node = session_.node_of(slot);
  if (!node) return std::nullopt;
  return session_.topology().nodes[*node].name;
}

std::string TopologyRouter::stop_summary(std::uint64_t frames_in, const QueueDrops& queue) const {
  const LinkCounter t = reported_counters(session_.counters(), queue).total();
  std::string drops;
  for (int r = 0; r < static_cast<int>(DropReason::count); ++r) {
    if (t.dropped[r] > 0)
      drops += fmt::format(", {} {}", t.dropped[r], to_string(static_cast<DropReason>(r)));
  }
  return fmt::format("stopping: {} frames in, {} deliveries over links, dropped: {}{}", frames_in,
                     t.delivered, drops.empty() ? "none" : "",
                     drops.empty() ? "" : drops.substr(2));
}

std::vector<std::string> TopologyRouter::capture_interfaces() const {
  std::vector<std::string> names;
  for (const auto& node : session_.topology().nodes) names.push_back(node.name);
  names.push_back("unbound");
  return names;
}

std::string TopologyRouter::start_summary() const {
  const medium::Topology& t = session_.topology();
  return fmt::format("({} nodes, {} links, {} events), seed {}", t.nodes.size(), t.links.size(),
                     t.events.size(), seed_);
}

std::uint64_t choose_seed(std::optional<std::uint64_t> given,
                          const std::optional<medium::Topology>& topology) {
  if (given) return *given;
  if (topology) return topology->meta.seed;
  return (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
}

std::unique_ptr<Router> make_router(RelayCore& core, std::optional<medium::Topology> topology,
                                    std::uint64_t seed) {
  if (topology) return std::make_unique<TopologyRouter>(core, std::move(*topology), seed);
  return std::make_unique<VwifiRouter>(core);
}

}  // namespace vmesh::relay
