// vwifi-server's medium behind the Router interface: every other client hears a frame
// with the signal of its distance (and may lose it when vwifi's loss is on), spies hear
// everything raw, a TX-status sender is acknowledged when the owner of addr1 got the frame.
// Text commands need a topology and answer an error here.
#pragma once

#include "relay/core/router.hpp"

namespace vmesh::relay {

class VwifiRouter final : public Router {
 public:
  // `core` holds the peers and vwifi's settings; it must outlive the router.
  explicit VwifiRouter(RelayCore& core) : core_(core) {}

  ConnectResult on_connect(const PeerConnect& peer) override;
  void on_disconnect(Slot slot) override;
  void on_tx_status_client(Slot slot) override;
  const RouteResult& route(const RouteRequest& request) override;
  void advance_to(std::uint64_t) override {}
  std::optional<std::uint64_t> next_event_us() const override { return std::nullopt; }
  bool start_timeline(std::uint64_t) override { return false; }
  CommandReply run_command(const TextCommand& command, const QueueDrops& queue,
                           std::uint64_t now_us) override;
  CommandReply finish_reload(const std::string& path, TopologyLoad loaded,
                             std::uint64_t now_us) override;
  void fill_snapshot(StatsSnapshot& snapshot, const QueueDrops& queue,
                     const DelayQueue& delayed) const override;
  std::optional<std::string> node_name(Slot) const override { return std::nullopt; }
  std::optional<std::string> stats_json(const QueueDrops&) const override { return std::nullopt; }
  std::string start_summary() const override { return {}; }
  std::string stop_summary(std::uint64_t frames_in, const QueueDrops& queue) const override;
  std::vector<std::string> capture_interfaces() const override { return {"medium"}; }
  std::size_t node_count() const override { return 0; }

 private:
  RelayCore& core_;
  RouteResult result_;
  std::vector<Fanout> fanout_;
  std::vector<Slot> lost_;
};

}  // namespace vmesh::relay
