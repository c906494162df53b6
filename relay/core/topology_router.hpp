// The topology medium behind the Router interface (--topology): client frames go through
// the MediumSession (node binding, Medium decisions, per-link counters, honest ACKs);
// spies hear every frame at once with the raw power; a spy's frames are fanned out as
// vwifi does. Serves the text commands.
#pragma once

#include "relay/core/medium_session.hpp"
#include "relay/core/router.hpp"
#include "relay/core/vwifi_router.hpp"

namespace vmesh::relay {

class TopologyRouter final : public Router {
 public:
  // `core` holds the peers; it must outlive the router. `seed` drives the medium (and a
  // reload rebuilds it with the same seed). No throws except bad_alloc.
  TopologyRouter(RelayCore& core, medium::Topology topology, std::uint64_t seed);

  ConnectResult on_connect(const PeerConnect& peer) override;
  void on_disconnect(Slot slot) override;
  void on_tx_status_client(Slot slot) override { spies_.on_tx_status_client(slot); }
  const RouteResult& route(const RouteRequest& request) override;
  void advance_to(std::uint64_t now_us) override { session_.advance_to(now_us); }
  std::optional<std::uint64_t> next_event_us() const override { return session_.next_event_us(); }
  bool start_timeline(std::uint64_t origin_us) override {
    return session_.start_timeline(origin_us);
  }
  CommandReply run_command(const TextCommand& command, const QueueDrops& queue,
                           std::uint64_t now_us) override;
  CommandReply finish_reload(const std::string& path, TopologyLoad loaded,
                             std::uint64_t now_us) override;
  void fill_snapshot(StatsSnapshot& snapshot, const QueueDrops& queue,
                     const DelayQueue& delayed) const override;
  std::optional<std::string> node_name(Slot slot) const override;
  std::optional<std::string> stats_json(const QueueDrops& queue) const override {
    return session_.stats_json(queue);
  }
  std::string start_summary() const override;
  std::string stop_summary(std::uint64_t frames_in, const QueueDrops& queue) const override;
  std::vector<std::string> capture_interfaces() const override;
  std::size_t node_count() const override { return session_.topology().nodes.size(); }

  const MediumSession& session() const { return session_; }

 private:
  RelayCore& core_;
  std::uint64_t seed_;
  MediumSession session_;
  VwifiRouter spies_;  // frames sent by spies: vwifi's fan-out, unchanged
  RouteResult result_;
};

}  // namespace vmesh::relay
