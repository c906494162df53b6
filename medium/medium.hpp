// The radio medium: for one transmitted frame, decides per receiver whether it is
// delivered, after which delay and with which signal. Pure: time and the seed are given,
// nothing is read from clocks, sockets or a global RNG. The same topology, seed and frames
// (with the same times) give the same decisions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/wire/mac_address.hpp"
#include "medium/frame_kind.hpp"
#include "medium/random_stream.hpp"
#include "medium/topology.hpp"

namespace vmesh::medium {

struct FrameInfo {
  NodeId sender = 0;
  std::size_t bytes = 0;  // bytes on the air; what the rate limit counts
  FrameKind kind = FrameKind::other;
  std::uint32_t freq_mhz = 0;  // 0: unknown, no channel filtering
  std::int8_t tx_power_dbm = 10;
};

enum class Verdict : std::uint8_t {
  deliver,
  drop_loss,
  drop_deaf,
  drop_rate,
  drop_node_down,
  drop_channel
};

// "deliver", "drop_loss", ... for logs and summaries.
std::string_view to_string(Verdict verdict);

struct Delivery {
  NodeId receiver = 0;
  Verdict verdict = Verdict::deliver;
  std::uint64_t delay_us = 0;  // from the decision time; 0 for drops
  std::int8_t signal_dbm = 0;  // for the power byte; 0 when dropped before the signal is known
};

class Medium {
 public:
  // Takes the topology (see topology_parser.hpp); `seed` drives one random stream per
  // directed link. Does not throw other than std::bad_alloc.
  Medium(Topology topology, std::uint64_t seed);

  // Applies timeline events due at now_us, then decides the frame for every other node,
  // in receiver order, appending one Delivery each to `out` (no allocation once `out` has
  // the capacity). now_us: microseconds since the start of the run, non-decreasing.
  // A sender outside the topology gets no deliveries. Does not throw.
  void decide(const FrameInfo& frame, std::uint64_t now_us, std::vector<Delivery>& out);

  // One more attempt of a frame decide() just decided, on frame.sender -> receiver only: a
  // unicast retransmission after a missing ACK. The same checks and draws as decide() makes
  // for that receiver, from that link's own random stream (so retries never shift the
  // draws of other links). now_us as given to decide(). Does not throw.
  Delivery retry(const FrameInfo& frame, NodeId receiver, std::uint64_t now_us);

  // Applies the timeline events due at now_us (decide does this itself). Does not throw.
  void advance_to(std::uint64_t now_us);

  // Time (on the now_us clock) of the next timeline event not yet applied, if any, for the
  // caller's timer; none while the timeline waits for start_timeline.
  std::optional<std::uint64_t> next_event_us() const;

  // Where the timeline's t = 0 lies on the now_us clock: 0 for a topology whose timeline
  // starts with the run, none until start_timeline for one that starts when every node is
  // ready (meta timeline_start = "ready"). Events fire at origin + at.
  std::optional<std::uint64_t> timeline_origin_us() const { return timeline_origin_us_; }
  // Starts a waiting timeline at origin_us (usually now). False when it runs already.
  bool start_timeline(std::uint64_t origin_us);

  // Node whose MAC prefix matches a radio address as mac80211_hwsim reports it
  // (HWSIM_ATTR_ADDR_TRANSMITTER, bit 0x40 of the first octet set). Does not throw.
  std::optional<NodeId> node_for_transmitter(const vmesh::wire::MacAddress& transmitter) const;
  // Node bound to a VSOCK CID. Does not throw.
  std::optional<NodeId> node_for_cid(std::uint32_t cid) const;

  // Replaces the parameters of from -> to at run time; the pair hears each other from now
  // on (a link_down stays in force until link_up). Cancels a ramp on it. Ignores ids out
  // of range.
  void set_link(NodeId from, NodeId to, const LinkParams& params);

  // Current parameters of from -> to (as of the last decide/advance_to).
  const LinkParams& link_params(NodeId from, NodeId to) const;
  // Whether from -> to can currently carry frames (nodes up, same partition, link not
  // down, listed or reachable by position at the default transmit power).
  bool hears(NodeId from, NodeId to) const;
  bool node_up(NodeId node) const { return node_up_[node]; }

  const Topology& topology() const { return topology_; }

 private:
  enum class Reach : std::uint8_t { deaf, listed, range };

  struct Ramp {
    std::uint64_t start_us = 0;
    std::uint64_t end_us = 0;
    LinkParams from;
    LinkOverrides to;
  };

  struct LinkState {
    explicit LinkState(RandomStream stream) : rng(stream) {}
    LinkParams params;
    RandomStream rng;
    Reach reach = Reach::deaf;
    bool forced_down = false;
    bool ge_bad = false;
    bool ramp_active = false;
    double tokens_bytes = 0.0;
    std::uint64_t bucket_time_us = 0;
    std::uint64_t last_due_us = 0;
    std::uint32_t loss_freq_mhz = 0;  // frequency path_loss_db was computed for; 0: stale
    double path_loss_db = 0.0;
    Ramp ramp;
  };

  LinkState& link(NodeId from, NodeId to) { return links_[std::size_t{from} * node_count_ + to]; }
  const LinkState& link(NodeId from, NodeId to) const {
    return links_[std::size_t{from} * node_count_ + to];
  }

  void apply_event(const Event& event);
  void for_each_direction(const Event& event, void (Medium::*action)(NodeId, NodeId, const Event&));
  void event_link_down(NodeId from, NodeId to, const Event& event);
  void event_link_up(NodeId from, NodeId to, const Event& event);
  void event_set_link(NodeId from, NodeId to, const Event& event);
  void event_ramp(NodeId from, NodeId to, const Event& event);
  void update_ramp(LinkState& state, std::uint64_t now_us);
  void invalidate_path_loss(NodeId node);
  // Received signal [dBm] on from -> to before clamping.
  double signal_dbm(LinkState& state, NodeId from, NodeId to, std::uint32_t freq_mhz,
                    std::int8_t tx_power_dbm);
  // Deciding one receiver: node, partition and link checks, then decide_link.
  Delivery decide_receiver(const FrameInfo& frame, NodeId receiver);
  // Deciding one receiver after the node, partition and link checks passed.
  Delivery decide_link(LinkState& state, const FrameInfo& frame, NodeId receiver,
                       std::uint64_t now_us);

  Topology topology_;
  std::size_t node_count_;
  std::vector<LinkState> links_;  // node_count_ x node_count_, [from][to]
  std::vector<bool> node_up_;
  std::vector<std::uint16_t> group_;  // partition group per node; all equal when healed
  std::vector<Position> position_;    // current positions (move events)
  std::vector<bool> has_position_;
  std::vector<std::uint32_t> rx_freq_mhz_;  // 0: the receiver accepts every frequency
  std::size_t next_event_ = 0;
  std::uint64_t now_us_ = 0;
  std::optional<std::uint64_t> timeline_origin_us_;
  // When `event` fires on the now_us clock (the timeline has started).
  std::uint64_t due_us(const Event& event) const { return *timeline_origin_us_ + event.at_us; }
  bool event_due(std::uint64_t now_us) const {
    return timeline_origin_us_ && next_event_ < topology_.events.size() &&
           due_us(topology_.events[next_event_]) <= now_us;
  }
};

}  // namespace vmesh::medium
