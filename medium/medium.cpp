#include "medium/medium.hpp"

#include <algorithm>
#include <cmath>

#include "base/wire/wire_format.hpp"
#include "medium/path_loss.hpp"

namespace vmesh::medium {

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::deliver:
      return "deliver";
    case Verdict::drop_loss:
      return "drop_loss";
    case Verdict::drop_deaf:
      return "drop_deaf";
    case Verdict::drop_rate:
      return "drop_rate";
    case Verdict::drop_node_down:
      return "drop_node_down";
    case Verdict::drop_channel:
      return "drop_channel";
  }
  return "unknown";
}

Medium::Medium(Topology topology, std::uint64_t seed)
    : topology_(std::move(topology)),
      node_count_(topology_.nodes.size()),
      node_up_(node_count_, true),
      group_(node_count_, 0),
      position_(node_count_),
      has_position_(node_count_, false),
      rx_freq_mhz_(node_count_, 0) {
  if (topology_.meta.timeline_start == TimelineStart::run) timeline_origin_us_ = 0;
  const MediumSpec& medium = topology_.medium;
  links_.reserve(node_count_ * node_count_);
  for (std::size_t from = 0; from < node_count_; ++from) {
    for (std::size_t to = 0; to < node_count_; ++to) {
      // One independent stream per directed link: its draws depend only on its own frames.
      links_.emplace_back(RandomStream(seed, (from << 16) | to));
    }
  }
  for (NodeId node = 0; node < node_count_; ++node) {
    const NodeSpec& spec = topology_.nodes[node];
    if (spec.position) {
      position_[node] = *spec.position;
      has_position_[node] = true;
    }
    const std::optional<std::uint32_t> channel = spec.channel ? spec.channel : medium.channel;
    if (channel) rx_freq_mhz_[node] = channel_to_freq_mhz(*channel).value_or(0);
  }
  for (NodeId from = 0; from < node_count_; ++from) {
    for (NodeId to = 0; to < node_count_; ++to) {
      if (from == to) continue;
      LinkState& state = link(from, to);
      if (auto listed = listed_link_params(topology_, from, to)) {
        state.params = *listed;
        state.reach = Reach::listed;
      } else {
        state.params = medium.defaults;
        const bool placed =
            medium.path_loss != PathLossModel::none && has_position_[from] && has_position_[to];
        if (placed) {
          state.reach = Reach::range;
        } else if (medium.default_reach == DefaultReach::all) {
          state.reach = Reach::listed;
        }
      }
      state.tokens_bytes = static_cast<double>(state.params.burst_bytes);
    }
  }
}

std::optional<NodeId> Medium::node_for_transmitter(
    const vmesh::wire::MacAddress& transmitter) const {
  for (std::size_t i = 0; i < node_count_; ++i) {
    if (matches_prefix(topology_.nodes[i].mac_prefix, transmitter)) return static_cast<NodeId>(i);
  }
  return std::nullopt;
}

std::optional<NodeId> Medium::node_for_cid(std::uint32_t cid) const {
  for (std::size_t i = 0; i < node_count_; ++i) {
    if (topology_.nodes[i].vsock_cid == cid) return static_cast<NodeId>(i);
  }
  return std::nullopt;
}

void Medium::set_link(NodeId from, NodeId to, const LinkParams& params) {
  if (from >= node_count_ || to >= node_count_ || from == to) return;
  LinkState& state = link(from, to);
  state.params = params;
  state.reach = Reach::listed;
  state.ramp_active = false;
}

const LinkParams& Medium::link_params(NodeId from, NodeId to) const {
  return link(from, to).params;
}

bool Medium::hears(NodeId from, NodeId to) const {
  if (from >= node_count_ || to >= node_count_ || from == to) return false;
  if (!node_up_[from] || !node_up_[to] || group_[from] != group_[to]) return false;
  const LinkState& state = link(from, to);
  if (state.forced_down || state.reach == Reach::deaf) return false;
  if (state.reach == Reach::listed) return true;
  const double freq =
      rx_freq_mhz_[to] != 0 ? rx_freq_mhz_[to] : double{vmesh::wire::kDefaultFreqMhz};
  const double loss =
      path_loss_db(topology_.medium, distance_m(position_[from], position_[to]), freq);
  return vmesh::wire::kDefaultTxPowerDbm - loss >= topology_.medium.sensitivity_dbm;
}

void Medium::advance_to(std::uint64_t now_us) {
  now_us_ = std::max(now_us_, now_us);
  while (event_due(now_us_)) {
    apply_event(topology_.events[next_event_]);
    ++next_event_;
  }
}

std::optional<std::uint64_t> Medium::next_event_us() const {
  if (timeline_origin_us_ && next_event_ < topology_.events.size())
    return due_us(topology_.events[next_event_]);
  return std::nullopt;
}

bool Medium::start_timeline(std::uint64_t origin_us) {
  if (timeline_origin_us_) return false;
  timeline_origin_us_ = origin_us;
  return true;
}

void Medium::decide(const FrameInfo& frame, std::uint64_t now_us, std::vector<Delivery>& out) {
  if (event_due(now_us)) advance_to(now_us);
  now_us_ = std::max(now_us_, now_us);
  const NodeId sender = frame.sender;
  if (sender >= node_count_) return;
  for (std::size_t index = 0; index < node_count_; ++index) {
    const auto receiver = static_cast<NodeId>(index);
    if (receiver == sender) continue;
    out.push_back(decide_receiver(frame, receiver));
  }
}

Delivery Medium::retry(const FrameInfo& frame, NodeId receiver, std::uint64_t now_us) {
  now_us_ = std::max(now_us_, now_us);
  if (frame.sender >= node_count_ || receiver >= node_count_ || receiver == frame.sender) {
    return Delivery{receiver, Verdict::drop_deaf, 0, 0};
  }
  return decide_receiver(frame, receiver);
}

Delivery Medium::decide_receiver(const FrameInfo& frame, NodeId receiver) {
  const NodeId sender = frame.sender;
  if (!node_up_[sender] || !node_up_[receiver]) {
    return Delivery{receiver, Verdict::drop_node_down, 0, 0};
  }
  LinkState& state = link(sender, receiver);
  if (group_[sender] != group_[receiver] || state.forced_down || state.reach == Reach::deaf) {
    return Delivery{receiver, Verdict::drop_deaf, 0, 0};
  }
  return decide_link(state, frame, receiver, now_us_);
}

double Medium::signal_dbm(LinkState& state, NodeId from, NodeId to, std::uint32_t freq_mhz,
                          std::int8_t tx_power_dbm) {
  if (state.params.signal_dbm) return *state.params.signal_dbm;
  const MediumSpec& medium = topology_.medium;
  if (medium.path_loss == PathLossModel::none || !has_position_[from] || !has_position_[to]) {
    return medium.default_signal_dbm;
  }
  if (freq_mhz == 0)
    freq_mhz = rx_freq_mhz_[to] != 0 ? rx_freq_mhz_[to] : vmesh::wire::kDefaultFreqMhz;
  if (state.loss_freq_mhz != freq_mhz) {  // cached: log10 per frame would dominate decide()
    state.path_loss_db = path_loss_db(medium, distance_m(position_[from], position_[to]), freq_mhz);
    state.loss_freq_mhz = freq_mhz;
  }
  return tx_power_dbm - state.path_loss_db;
}

Delivery Medium::decide_link(LinkState& state, const FrameInfo& frame, NodeId receiver,
                             std::uint64_t now_us) {
  Delivery delivery{receiver, Verdict::deliver, 0, 0};
  if (state.ramp_active) update_ramp(state, now_us);
  const LinkParams& params = state.params;
  const double signal =
      signal_dbm(state, frame.sender, receiver, frame.freq_mhz, frame.tx_power_dbm);
  delivery.signal_dbm = clamp_signal_dbm(signal);
  if (state.reach == Reach::range && signal < topology_.medium.sensitivity_dbm) {
    delivery.verdict = Verdict::drop_deaf;
    return delivery;
  }
  const std::uint32_t rx_freq = rx_freq_mhz_[receiver];
  if (rx_freq != 0 && frame.freq_mhz != 0 && frame.freq_mhz != rx_freq) {
    delivery.verdict = Verdict::drop_channel;
    return delivery;
  }

  // Token bucket with a backlog: tokens may go negative by what is queued; a frame that
  // would wait longer than queue_us is dropped and takes no tokens.
  std::uint64_t queue_wait_us = 0;
  if (params.rate_bps != 0) {
    const double bytes_per_us = static_cast<double>(params.rate_bps) / 8e6;
    const double burst = static_cast<double>(params.burst_bytes);
    if (now_us > state.bucket_time_us) {
      state.tokens_bytes += static_cast<double>(now_us - state.bucket_time_us) * bytes_per_us;
      state.bucket_time_us = now_us;
    }
    state.tokens_bytes = std::min(state.tokens_bytes, burst);
    const double bytes = static_cast<double>(frame.bytes);
    if (state.tokens_bytes < bytes) {
      const double wait_us = std::ceil((bytes - state.tokens_bytes) / bytes_per_us);
      if (wait_us > static_cast<double>(params.queue_us)) {
        delivery.verdict = Verdict::drop_rate;
        return delivery;
      }
      queue_wait_us = static_cast<std::uint64_t>(wait_us);
    }
    state.tokens_bytes -= bytes;
  }

  bool lost = false;
  if (params.burst_loss) {
    const BurstLoss& ge = *params.burst_loss;
    state.ge_bad =
        state.ge_bad ? !state.rng.chance(ge.leave_prob) : state.rng.chance(ge.enter_prob);
    lost = state.rng.chance(state.ge_bad ? ge.loss_bad : ge.loss_good);
  }
  if (state.rng.chance(params.loss_prob)) lost = true;
  if (lost) {
    delivery.verdict = Verdict::drop_loss;
    return delivery;
  }

  std::uint64_t delay_us = params.delay_us;
  if (params.jitter_us != 0) {
    // Uniform integer offset in [-jitter, +jitter].
    const auto span = static_cast<double>(2 * params.jitter_us + 1);
    const auto offset = static_cast<std::uint64_t>(state.rng.uniform() * span);
    delay_us = delay_us + offset >= params.jitter_us ? delay_us + offset - params.jitter_us : 0;
  }
  delay_us += queue_wait_us;
  std::uint64_t due_us = now_us + delay_us;
  if (!params.reorder && due_us < state.last_due_us) due_us = state.last_due_us;  // keep FIFO order
  state.last_due_us = due_us;
  delivery.delay_us = due_us - now_us;
  return delivery;
}

}  // namespace vmesh::medium
