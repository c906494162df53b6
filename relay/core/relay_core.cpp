#include "relay/core/relay_core.hpp"

#include "base/wire/frame_header.hpp"
#include "base/wire/hwsim_message.hpp"

namespace vmesh::relay {

namespace {
constexpr std::size_t kMaxOwners = 1024;
}  // namespace

RelayCore::RelayCore(RelaySettings settings, std::uint64_t seed)
    : settings_(settings), rng_(static_cast<std::mt19937::result_type>(seed)) {}

wire::FrameRouting RelayCore::route(Slot from, std::span<const std::uint8_t> message,
                                    std::vector<Fanout>& out, std::vector<Slot>* lost) noexcept {
  const wire::FrameRouting routing = wire::read_frame_routing(message);
  const LivePeer* sender = peers_.find(from);
  if (sender == nullptr || message.empty()) return routing;
  ++counters_.frames_in;
  const auto tx_power_dbm = static_cast<std::int8_t>(message[0]);
  if (learn_addresses_ && owners_.size() < kMaxOwners) {
    if (const auto addr2 = wire::addr2_of(routing.frame)) owners_[*addr2] = from;
  }
  const bool from_spy = sender->kind == PeerKind::spy;

  for (const LivePeer& peer : peers_.live()) {
    if (peer.slot == from) continue;
    if (from_spy || peer.kind == PeerKind::spy) {
      out.push_back({peer.slot, tx_power_dbm});
      continue;
    }
    const std::int8_t signal =
        received_signal_dbm(tx_power_dbm, sender->record.coordinates, peer.record.coordinates,
                            settings_.scale, routing.freq_mhz);
    if (settings_.loss_enabled && vwifi_drops(signal, static_cast<std::uint32_t>(rng_() % 53))) {
      ++counters_.dropped_loss;
      if (lost != nullptr) lost->push_back(peer.slot);
      continue;
    }
    out.push_back({peer.slot, signal});
  }
  counters_.deliveries += out.size();
  return routing;
}

std::optional<Slot> RelayCore::owner_of(const wire::MacAddress& address) const {
  const auto it = owners_.find(address);
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

void RelayCore::forget_addresses_of(Slot slot) {
  std::erase_if(owners_, [slot](const auto& entry) { return entry.second == slot; });
}

ControlOutcome RelayCore::handle_control(const ControlRequest& request) {
  ControlOutcome outcome;
  const bool spy_connected = peers_.count(PeerKind::spy) > 0;
  switch (request.order) {
    case ControlOrder::none:
      break;
    case ControlOrder::list:
      outcome.reply = encode_list_reply(peers_);
      break;
    case ControlOrder::show:
      outcome.reply = encode_show_reply(settings_.loss_enabled, settings_.scale, spy_connected);
      break;
    case ControlOrder::change_coordinate:
      if (request.cid >= kMinGuestPeerId) peers_.set_coordinates(request.cid, request.coordinates);
      break;
    case ControlOrder::set_name:
      peers_.set_name(request.cid, request.name);
      break;
    case ControlOrder::packet_loss:
      settings_.loss_enabled = request.loss_enabled;
      break;
    case ControlOrder::status:
      outcome.reply = encode_status_reply(
          settings_.loss_enabled, settings_.scale, settings_.vsock_port, settings_.tcp_port,
          static_cast<std::uint32_t>(peers_.remembered_capacity()), spy_connected);
      break;
    case ControlOrder::distance: {
      const PeerRecord* a = peers_.find_record(request.cid);
      const PeerRecord* b = peers_.find_record(request.cid2);
      if (a == nullptr) {
        outcome.reply = encode_distance_reply(-1, 0);
      } else if (b == nullptr) {
        outcome.reply = encode_distance_reply(-2, 0);
      } else {
        outcome.reply = encode_distance_reply(0, distance_m(a->coordinates, b->coordinates));
      }
      break;
    }
    case ControlOrder::set_scale:
      if (request.scale > 0) settings_.scale = request.scale;
      break;
    case ControlOrder::close_all:
      outcome.close_all_peers = true;
      break;
  }
  return outcome;
}

}  // namespace vmesh::relay
