// The radio medium of a run as a plain value type: nodes (names, MACs, positions), links,
// medium defaults, path loss and the timeline of medium events. Produced by parse_topology /
// load_topology_file (topology_parser.hpp) and consumed by Medium, the relay and the
// launcher (whose own settings from the same file live in launcher/scenario).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/wire/mac_address.hpp"
#include "medium/link_params.hpp"

namespace vmesh::medium {

using NodeId = std::uint16_t;  // index into Topology::nodes (file order)

struct Position {
  double x_m = 0.0;
  double y_m = 0.0;
  double z_m = 0.0;

  friend bool operator==(const Position&, const Position&) = default;
};

// First five octets of every radio MAC of a node; the sixth octet is the radio number.
using MacPrefix = std::array<std::uint8_t, 5>;

struct NodeSpec {
  std::string name;
  MacPrefix mac_prefix{};                  // default 02:00:00:00:<index, 1-based>
  std::optional<std::uint32_t> vsock_cid;  // identity of a VSOCK client
  std::optional<std::uint32_t> channel;    // overrides MediumSpec::channel for this receiver
  std::optional<Position> position;        // metres, for the path-loss model
};

// What an unlisted pair of nodes does.
enum class DefaultReach : std::uint8_t { none, all };
enum class PathLossModel : std::uint8_t { none, free_space, log_distance };

// Who acknowledges a unicast frame. always: the sender's own agent, at once, whatever
// the medium does (vwifi's behaviour). medium: the relay, after its loss decisions and
// retries (vmesh's TX-status extension), so the guest's rate control sees the loss.
enum class AckMode : std::uint8_t { always, medium };

struct MediumSpec {
  DefaultReach default_reach = DefaultReach::none;
  AckMode acks = AckMode::always;
  std::optional<std::uint32_t> channel;  // when set, receivers on another frequency drop
  PathLossModel path_loss = PathLossModel::none;
  double path_loss_exponent = 3.0;  // log-distance only
  double reference_distance_m = 1.0;
  int sensitivity_dbm = -90;  // pairs placed by position hear at or above this signal
  int default_signal_dbm = kDefaultSignalDbm;
  LinkParams defaults;  // [medium.defaults]
};

// One [[link]] as written: symmetric (nodes = [a, b]) or one-way (from/to). Only the keys
// given are set; the effective parameters are defaults + symmetric + one-way.
struct LinkSpec {
  NodeId from = 0;
  NodeId to = 0;
  bool symmetric = false;
  LinkOverrides params;
};

enum class EventAction : std::uint8_t {
  link_down,
  link_up,
  set_link,
  ramp,
  partition,
  heal,
  node_down,
  node_up,
  move,
};

struct Event {
  std::uint64_t at_us = 0;
  EventAction action = EventAction::heal;
  // Link events: from -> to, and to -> from when symmetric.
  NodeId from = 0;
  NodeId to = 0;
  bool symmetric = false;
  LinkOverrides params;                     // set_link, ramp (targets)
  std::uint64_t duration_us = 0;            // ramp
  std::vector<std::vector<NodeId>> groups;  // partition
  NodeId node = 0;                          // node_down, node_up, move
  Position position;                        // move
};

// Where the timeline's t = 0 lies: when the run starts (the relay starts listening), or
// when every node is ready (boot time then does not shift the events, whatever the machine).
enum class TimelineStart { run, ready };

struct Meta {
  std::string name;
  std::string description;
  std::uint64_t seed = 0;
  TimelineStart timeline_start = TimelineStart::run;
};

struct Topology {
  std::string source_name;  // file name used in error messages
  Meta meta;
  MediumSpec medium;
  std::vector<NodeSpec> nodes;
  std::vector<LinkSpec> links;
  std::vector<Event> events;  // sorted by at_us, file order kept for equal times

  // Index of the node called `name`, if any. Does not throw.
  std::optional<NodeId> find_node(std::string_view name) const;
};

// True when two prefixes name the same radios. Bit 0x40 of the first octet is ignored:
// mac80211_hwsim reports a radio's transmitter address (addresses[1]) as its permanent
// address with that bit set, so 02:00:00:00:01:00 transmits as 42:00:00:00:01:00.
bool same_identity(const MacPrefix& a, const MacPrefix& b);

// True when `address` is a radio of the node with `prefix` (same rule as same_identity).
bool matches_prefix(const MacPrefix& prefix, const vmesh::wire::MacAddress& address);

// The MAC prefix a node gets when the file gives none: 02:00:00:00:<index + 1>.
MacPrefix default_mac_prefix(NodeId index);

// Centre frequency of a WiFi channel (2.4 GHz 1-14, 5 GHz 32-177); nullopt otherwise.
std::optional<std::uint32_t> channel_to_freq_mhz(std::uint32_t channel);

// Effective parameters of the directed pair from -> to as written in the file: defaults,
// then the symmetric [[link]], then the one-way one. nullopt when no [[link]] names the
// pair (then MediumSpec::default_reach and positions decide).
std::optional<LinkParams> listed_link_params(const Topology& topology, NodeId from, NodeId to);

}  // namespace vmesh::medium
