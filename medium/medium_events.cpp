// Medium: the timeline (events and ramps).
#include <cmath>

#include "medium/medium.hpp"

namespace vmesh::medium {

namespace {

double lerp(double from, double to, double fraction) {
  return from + (to - from) * fraction;
}

std::uint64_t lerp_us(std::uint64_t from, std::uint64_t to, double fraction) {
  return static_cast<std::uint64_t>(
      std::llround(lerp(static_cast<double>(from), static_cast<double>(to), fraction)));
}

}  // namespace

void Medium::apply_event(const Event& event) {
  switch (event.action) {
    case EventAction::link_down:
      for_each_direction(event, &Medium::event_link_down);
      break;
    case EventAction::link_up:
      for_each_direction(event, &Medium::event_link_up);
      break;
    case EventAction::set_link:
      for_each_direction(event, &Medium::event_set_link);
      break;
    case EventAction::ramp:
      for_each_direction(event, &Medium::event_ramp);
      break;
    case EventAction::partition:
      // Group k is numbered k + 1; nodes named in no group stay together in group 0.
      std::fill(group_.begin(), group_.end(), std::uint16_t{0});
      for (std::size_t k = 0; k < event.groups.size(); ++k) {
        for (NodeId node : event.groups[k]) group_[node] = static_cast<std::uint16_t>(k + 1);
      }
      break;
    case EventAction::heal:
      std::fill(group_.begin(), group_.end(), std::uint16_t{0});
      break;
    case EventAction::node_down:
      node_up_[event.node] = false;
      break;
    case EventAction::node_up:
      node_up_[event.node] = true;
      break;
    case EventAction::move:
      position_[event.node] = event.position;
      has_position_[event.node] = true;
      invalidate_path_loss(event.node);
      break;
  }
}

void Medium::for_each_direction(const Event& event,
                                void (Medium::*action)(NodeId, NodeId, const Event&)) {
  (this->*action)(event.from, event.to, event);
  if (event.symmetric) (this->*action)(event.to, event.from, event);
}

void Medium::event_link_down(NodeId from, NodeId to, const Event& /*event*/) {
  link(from, to).forced_down = true;
}

void Medium::event_link_up(NodeId from, NodeId to, const Event& /*event*/) {
  LinkState& state = link(from, to);
  state.forced_down = false;
  if (state.reach == Reach::deaf) state.reach = Reach::listed;
}

void Medium::event_set_link(NodeId from, NodeId to, const Event& event) {
  LinkState& state = link(from, to);
  if (state.ramp_active) update_ramp(state, due_us(event));
  state.ramp_active = false;
  state.params = apply_overrides(state.params, event.params);
  state.reach = Reach::listed;
}

void Medium::event_ramp(NodeId from, NodeId to, const Event& event) {
  LinkState& state = link(from, to);
  if (state.ramp_active) update_ramp(state, due_us(event));
  state.reach = Reach::listed;
  Ramp& ramp = state.ramp;
  ramp.start_us = due_us(event);
  ramp.end_us = due_us(event) + event.duration_us;
  ramp.from = state.params;
  // A ramp of the signal starts from what the link had: explicit, or the default.
  if (event.params.signal_dbm && !ramp.from.signal_dbm)
    ramp.from.signal_dbm = topology_.medium.default_signal_dbm;
  ramp.to = event.params;
  state.ramp_active = true;
  update_ramp(state, now_us_);
}

void Medium::update_ramp(LinkState& state, std::uint64_t now_us) {
  const Ramp& ramp = state.ramp;
  if (now_us >= ramp.end_us) {
    state.params = apply_overrides(ramp.from, ramp.to);
    state.ramp_active = false;
    return;
  }
  const double fraction = now_us <= ramp.start_us
                              ? 0.0
                              : static_cast<double>(now_us - ramp.start_us) /
                                    static_cast<double>(ramp.end_us - ramp.start_us);
  LinkParams params = ramp.from;
  const LinkOverrides& to = ramp.to;
  if (to.loss_prob) params.loss_prob = lerp(ramp.from.loss_prob, *to.loss_prob, fraction);
  if (to.delay_us) params.delay_us = lerp_us(ramp.from.delay_us, *to.delay_us, fraction);
  if (to.jitter_us) params.jitter_us = lerp_us(ramp.from.jitter_us, *to.jitter_us, fraction);
  if (to.signal_dbm) {
    params.signal_dbm = static_cast<int>(std::lround(
        lerp(static_cast<double>(ramp.from.signal_dbm.value_or(0)), *to.signal_dbm, fraction)));
  }
  // An unlimited rate (0) has no value to start from: the target applies at once.
  if (to.rate_bps) {
    params.rate_bps = ramp.from.rate_bps == 0 ? *to.rate_bps
                                              : lerp_us(ramp.from.rate_bps, *to.rate_bps, fraction);
  }
  state.params = params;
}

void Medium::invalidate_path_loss(NodeId node) {
  for (std::size_t other = 0; other < node_count_; ++other) {
    const auto peer = static_cast<NodeId>(other);
    if (peer == node) continue;
    for (LinkState* state : {&link(node, peer), &link(peer, node)}) {
      state->loss_freq_mhz = 0;
      // A node placed by a move joins the position model for pairs no [[link]] names.
      const bool placed = topology_.medium.path_loss != PathLossModel::none && has_position_[peer];
      if (state->reach == Reach::deaf && placed) state->reach = Reach::range;
    }
  }
}

}  // namespace vmesh::medium
