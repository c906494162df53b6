#include "relay/core/vwifi_router.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/wire/frame_header.hpp"
#include "base/wire/tx_status.hpp"

namespace vmesh::relay {

namespace {

// ACK signal when the medium gives none: vwifi's value at distance 0.
constexpr std::int8_t kVwifiAckSignalDbm = -10;

const char* const kNoTopology =
    "error: no topology loaded (start vmesh-relay with --topology FILE)\n";

}  // namespace

ConnectResult VwifiRouter::on_connect(const PeerConnect& peer) {
  return {core_.attach(peer.slot, peer.kind, peer.id, peer.transport), {}};
}

void VwifiRouter::on_disconnect(Slot slot) {
  core_.detach(slot);
  core_.forget_addresses_of(slot);
}

void VwifiRouter::on_tx_status_client(Slot) {
  core_.learn_addresses();
}

const RouteResult& VwifiRouter::route(const RouteRequest& request) {
  result_.clear();
  fanout_.clear();
  lost_.clear();
  const wire::FrameRouting routing = core_.route(request.from, request.message, fanout_, &lost_);
  for (const Fanout& f : fanout_) result_.deliveries.push_back({f.receiver, f.power_dbm});
  for (Slot slot : lost_) result_.drops.push_back({slot, DropReason::loss});
  result_.capture.freq_mhz = routing.freq_mhz;
  result_.capture.frame = routing.frame;
  result_.capture.receiver_count = static_cast<std::uint32_t>(fanout_.size());
  if (!request.tx_status) return result_;
  // vwifi's medium has no retries: acknowledged when the addressed client got it.
  const wire::HwsimMessage tx = wire::read_hwsim_message(request.message);
  if (!wire::wants_medium_ack(tx)) return result_;
  // wants_medium_ack() checked that the frame has an individual addr1.
  const auto owner = core_.owner_of(*wire::addr1_of(tx.frame));
  const auto got = std::find_if(fanout_.begin(), fanout_.end(),
                                [&](const Fanout& f) { return owner && f.receiver == *owner; });
  const bool acked = got != fanout_.end();
  wire::append_tx_status_message(
      result_.tx_status, tx,
      {.acked = acked, .attempts = acked ? 1 : wire::planned_attempts(tx.tx_info)},
      acked ? got->power_dbm : kVwifiAckSignalDbm);
  return result_;
}

CommandReply VwifiRouter::run_command(const TextCommand&, const QueueDrops&, std::uint64_t) {
  return {kNoTopology, {}, {}};
}

CommandReply VwifiRouter::finish_reload(const std::string&, TopologyLoad, std::uint64_t) {
  return {kNoTopology, {}, {}};
}

void VwifiRouter::fill_snapshot(StatsSnapshot& snapshot, const QueueDrops&,
                                const DelayQueue&) const {
  snapshot.deliveries = core_.counters().deliveries;
  snapshot.dropped_loss = core_.counters().dropped_loss;
}

std::string VwifiRouter::stop_summary(std::uint64_t, const QueueDrops&) const {
  const RelayCounters& c = core_.counters();
  return fmt::format("stopping: {} frames in, {} deliveries, {} lost to loss", c.frames_in,
                     c.deliveries, c.dropped_loss);
}

}  // namespace vmesh::relay
