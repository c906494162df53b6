// The relay's decisions without any I/O: who receives a frame and with which power byte,
// what a control order does. The event loop feeds it and carries out what it returns.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/mac_address.hpp"
#include "relay/core/control_protocol.hpp"
#include "relay/core/peer_registry.hpp"

namespace vmesh::relay {

struct RelaySettings {
  bool loss_enabled = false;  // vwifi's global loss switch (-l, vwifi-ctrl loss)
  double scale = 1.0;         // multiplies coordinate distances (vwifi-ctrl scale)
  std::uint16_t tcp_port = 8212;
  // Reported by STATUS; vwifi-ctrl built with VSOCK (the default) expects the field.
  std::optional<std::uint16_t> vsock_port = 8211;
};

// One receiver of a relayed frame.
struct Fanout {
  Slot receiver = 0;
  std::int8_t power_dbm = 0;
};

struct ControlOutcome {
  std::vector<std::uint8_t> reply;
  bool close_all_peers = false;
};

struct RelayCounters {
  std::uint64_t frames_in = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t dropped_loss = 0;
};

class RelayCore {
 public:
  RelayCore(RelaySettings settings, std::uint64_t seed);

  // See PeerRegistry::attach: returns the slot of a live peer this one takes over.
  std::optional<Slot> attach(Slot slot, PeerKind kind, PeerId id,
                             Transport transport = Transport::unknown) {
    return peers_.attach(slot, kind, id, transport);
  }
  bool detach(Slot slot) { return peers_.detach(slot); }

  // Decides the receivers of one validated message (power byte first) from `from`,
  // exactly as vwifi-server does: every other client gets the signal computed from
  // coordinates (and may lose it when loss is on), every spy gets the raw power; a spy's
  // frames go to every client and other spy unchanged. Appends to `out`, and the clients
  // lost to distance loss to `lost` when given. Returns the message's routing fields (for
  // the capture, which would otherwise parse every frame a second time). No throws.
  wire::FrameRouting route(Slot from, std::span<const std::uint8_t> message,
                           std::vector<Fanout>& out, std::vector<Slot>* lost = nullptr) noexcept;

  // Which live client sent frames from an 802.11 address (addr2), once learning is on:
  // the destination of a unicast frame for TX-status clients in vwifi mode.
  std::optional<Slot> owner_of(const wire::MacAddress& address) const;
  void learn_addresses() { learn_addresses_ = true; }
  void forget_addresses_of(Slot slot);

  // Applies a control order and returns the reply bytes (possibly empty).
  ControlOutcome handle_control(const ControlRequest& request);

  // The ports actually bound (they differ from the options when 0 asked for any port).
  void set_ports(std::uint16_t tcp_port, std::uint16_t vsock_port) {
    settings_.tcp_port = tcp_port;
    settings_.vsock_port = vsock_port;
  }

  const PeerRegistry& peers() const { return peers_; }
  const RelaySettings& settings() const { return settings_; }
  const RelayCounters& counters() const { return counters_; }

 private:
  RelaySettings settings_;
  PeerRegistry peers_;
  std::mt19937 rng_;
  RelayCounters counters_;
  bool learn_addresses_ = false;
  std::map<wire::MacAddress, Slot> owners_;
};

}  // namespace vmesh::relay
