#include "relay/core/peer_registry.hpp"

#include <algorithm>

namespace vmesh::relay {

PeerRegistry::PeerRegistry(std::size_t remembered_capacity)
    : remembered_capacity_(remembered_capacity) {}

std::optional<Slot> PeerRegistry::attach(Slot slot, PeerKind kind, PeerId id, Transport transport) {
  LivePeer peer{slot, kind, PeerRecord{id, {}, {}, transport}};
  std::optional<Slot> taken_over;

  auto same_peer = std::find_if(live_.begin(), live_.end(), [&](const LivePeer& p) {
    return p.kind == kind && p.record.id == id && p.record.transport == transport;
  });
  if (same_peer != live_.end()) {
    taken_over = same_peer->slot;
    peer.record = same_peer->record;
    live_.erase(same_peer);
  } else {
    auto old = std::find_if(remembered_.begin(), remembered_.end(), [&](const PeerRecord& r) {
      return r.id == id && (r.transport == transport || r.transport == Transport::unknown);
    });
    if (old != remembered_.end()) {
      peer.record = *old;
      peer.record.transport = transport;
      remembered_.erase(old);
    }
  }
  live_.push_back(std::move(peer));
  return taken_over;
}

bool PeerRegistry::detach(Slot slot) {
  auto it =
      std::find_if(live_.begin(), live_.end(), [&](const LivePeer& p) { return p.slot == slot; });
  if (it == live_.end()) return false;
  if (remembered_capacity_ > 0) {
    if (remembered_.size() >= remembered_capacity_) remembered_.pop_front();
    remembered_.push_back(std::move(it->record));
  }
  live_.erase(it);
  return true;
}

const LivePeer* PeerRegistry::find(Slot slot) const {
  auto it =
      std::find_if(live_.begin(), live_.end(), [&](const LivePeer& p) { return p.slot == slot; });
  return it == live_.end() ? nullptr : &*it;
}

std::size_t PeerRegistry::count(PeerKind kind) const {
  return static_cast<std::size_t>(
      std::count_if(live_.begin(), live_.end(), [&](const LivePeer& p) { return p.kind == kind; }));
}

PeerRecord* PeerRegistry::find_mutable(PeerId id) {
  for (auto& p : live_) {
    if (p.record.id == id) return &p.record;
  }
  for (auto& r : remembered_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const PeerRecord* PeerRegistry::find_record(PeerId id) const {
  return const_cast<PeerRegistry*>(this)->find_mutable(id);
}

PeerRecord& PeerRegistry::provision(PeerId id) {
  if (PeerRecord* existing = find_mutable(id)) return *existing;
  if (remembered_.size() >= remembered_capacity_ && !remembered_.empty()) remembered_.pop_front();
  remembered_.push_back(PeerRecord{id, {}, {}});
  return remembered_.back();
}

void PeerRegistry::set_coordinates(PeerId id, const Coordinates& coordinates) {
  provision(id).coordinates = coordinates;
}

void PeerRegistry::set_name(PeerId id, std::string_view name) {
  provision(id).name = std::string(name.substr(0, kMaxPeerNameChars));
}

}  // namespace vmesh::relay
