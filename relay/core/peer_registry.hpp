// Who is connected, under which vwifi id, at which coordinates, with which name; plus
// the coordinates and names of recently disconnected ids, so a guest that reconnects
// finds its place again (vwifi remembers the last 15).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "relay/core/peer_identity.hpp"
#include "relay/core/vwifi_signal.hpp"

namespace vmesh::relay {

// The I/O layer's handle of a connection; opaque here.
using Slot = std::uint32_t;

enum class PeerKind : std::uint8_t { client, spy };

struct PeerRecord {
  PeerId id = 0;
  Coordinates coordinates;
  std::string name;  // at most kMaxPeerNameChars
  // How the peer came; unknown for an id vwifi-ctrl named before it connected.
  Transport transport = Transport::unknown;
};

struct LivePeer {
  Slot slot = 0;
  PeerKind kind = PeerKind::client;
  PeerRecord record;
};

inline constexpr std::size_t kMaxPeerNameChars = 12;
inline constexpr std::size_t kDefaultRememberedPeers = 15;

class PeerRegistry {
 public:
  explicit PeerRegistry(std::size_t remembered_capacity = kDefaultRememberedPeers);

  // Registers a new live peer. A live peer of the same kind with the same id that came by
  // the same transport is taken over: its slot is returned (the caller closes it) and its
  // coordinates and name pass to the new peer. Otherwise a remembered record with that id
  // (of that transport, or provisioned by vwifi-ctrl) is recovered. Ids are only unique
  // per transport: a VSOCK CID can equal a TCP address hash or a vhost-user node's id, and
  // such peers never displace each other. No throws except bad_alloc.
  std::optional<Slot> attach(Slot slot, PeerKind kind, PeerId id,
                             Transport transport = Transport::unknown);

  // Removes a live peer; its record is remembered (oldest forgotten past capacity).
  // Returns false if the slot was not live.
  bool detach(Slot slot);

  const LivePeer* find(Slot slot) const;
  const std::vector<LivePeer>& live() const { return live_; }
  const std::deque<PeerRecord>& remembered() const { return remembered_; }
  std::size_t remembered_capacity() const { return remembered_capacity_; }
  std::size_t count(PeerKind kind) const;

  // vwifi-ctrl `set`: updates a live or remembered id; an unknown id is pre-provisioned
  // as remembered so it takes effect when that peer connects.
  void set_coordinates(PeerId id, const Coordinates& coordinates);
  // vwifi-ctrl `setname`: as set_coordinates; keeps the first 12 characters.
  void set_name(PeerId id, std::string_view name);
  // Live first, then remembered.
  const PeerRecord* find_record(PeerId id) const;

 private:
  PeerRecord* find_mutable(PeerId id);
  PeerRecord& provision(PeerId id);

  std::size_t remembered_capacity_;
  std::vector<LivePeer> live_;
  std::deque<PeerRecord> remembered_;
};

}  // namespace vmesh::relay
