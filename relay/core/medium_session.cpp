#include "relay/core/medium_session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "base/wire/frame_header.hpp"
#include "base/wire/hwsim_frames.hpp"
#include "base/wire/hwsim_message.hpp"
#include "medium/units.hpp"

namespace vmesh::relay {

namespace {

DropReason reason_of(medium::Verdict verdict) {
  switch (verdict) {
    case medium::Verdict::drop_loss:
      return DropReason::loss;
    case medium::Verdict::drop_deaf:
      return DropReason::deaf;
    case medium::Verdict::drop_rate:
      return DropReason::rate;
    case medium::Verdict::drop_node_down:
      return DropReason::node_down;
    case medium::Verdict::drop_channel:
      return DropReason::channel;
    case medium::Verdict::deliver:
      break;
  }
  return DropReason::loss;
}

// "loss 0 -> 0.3, delay 1ms -> 20ms" for the fields that differ.
std::string describe_change(const medium::LinkParams& a, const medium::LinkParams& b) {
  std::vector<std::string> parts;
  if (a.loss_prob != b.loss_prob)
    parts.push_back(fmt::format("loss {} -> {}", a.loss_prob, b.loss_prob));
  if (a.delay_us != b.delay_us) {
    parts.push_back(fmt::format("delay {} -> {}", medium::format_duration(a.delay_us),
                                medium::format_duration(b.delay_us)));
  }
  if (a.jitter_us != b.jitter_us) {
    parts.push_back(fmt::format("jitter {} -> {}", medium::format_duration(a.jitter_us),
                                medium::format_duration(b.jitter_us)));
  }
  if (a.rate_bps != b.rate_bps) {
    parts.push_back(fmt::format("rate {} -> {}",
                                a.rate_bps ? medium::format_rate(a.rate_bps) : "unlimited",
                                b.rate_bps ? medium::format_rate(b.rate_bps) : "unlimited"));
  }
  if (a.signal_dbm != b.signal_dbm) {
    parts.push_back(fmt::format("signal {} -> {}",
                                a.signal_dbm ? std::to_string(*a.signal_dbm) : "auto",
                                b.signal_dbm ? std::to_string(*b.signal_dbm) : "auto"));
  }
  if (a.burst_loss != b.burst_loss || a.reorder != b.reorder || a.burst_bytes != b.burst_bytes ||
      a.queue_us != b.queue_us) {
    parts.push_back("burst/queue settings changed");
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

MediumSession::ReloadResult MediumSession::reload(medium::Topology next, std::uint64_t now_us) {
  const medium::Topology& current = medium_.topology();
  if (next.nodes.size() != current.nodes.size()) {
    return {false, fmt::format("reload must keep the {} nodes of the run; the new file has {}",
                               current.nodes.size(), next.nodes.size())};
  }
  for (std::size_t i = 0; i < next.nodes.size(); ++i) {
    if (next.nodes[i].name != current.nodes[i].name) {
      return {false, fmt::format("reload must keep the nodes in order: node {} is '{}', was '{}'",
                                 i + 1, next.nodes[i].name, current.nodes[i].name)};
    }
  }
  std::string diff;
  const auto n = static_cast<medium::NodeId>(next.nodes.size());
  for (medium::NodeId from = 0; from < n; ++from) {
    for (medium::NodeId to = 0; to < n; ++to) {
      if (from == to) continue;
      const auto before = medium::listed_link_params(current, from, to);
      const auto after = medium::listed_link_params(next, from, to);
      const std::string pair = current.nodes[from].name + "->" + current.nodes[to].name;
      if (before && !after) {
        diff += pair + ": link removed\n";
      } else if (!before && after) {
        diff += pair + ": link added\n";
      } else if (before && after && *before != *after) {
        diff += pair + ": " + describe_change(*before, *after) + "\n";
      }
    }
  }
  if (next.medium.default_reach != current.medium.default_reach) diff += "medium default changed\n";
  if (next.events.size() != current.events.size()) {
    diff += fmt::format("timeline: {} events, was {}\n", next.events.size(), current.events.size());
  }
  const std::optional<std::uint64_t> origin_us = medium_.timeline_origin_us();
  medium_ = medium::Medium(std::move(next), seed_);
  if (origin_us) medium_.start_timeline(*origin_us);  // a started timeline stays where it is
  medium_.advance_to(now_us);
  return {true, diff.empty() ? "no changes\n" : diff};
}

MediumSession::MediumSession(medium::Topology topology, std::uint64_t seed)
    : seed_(seed),
      medium_(std::move(topology), seed),
      counters_(medium_.topology().nodes.size()),
      slot_of_node_(medium_.topology().nodes.size()) {}

Binding MediumSession::bind(Slot slot, medium::NodeId node, const std::string& how) {
  Binding result{Binding::Kind::bound,
                 fmt::format("bound to node {} by {}", medium_.topology().nodes[node].name, how)};
  if (slot_of_node_[node] && *slot_of_node_[node] != slot) {
    // The newest connection of a node wins: the older one is a guest that restarted.
    node_of_slot_.erase(*slot_of_node_[node]);
    result.detail += " (replacing an older connection of that node)";
  }
  slot_of_node_[node] = slot;
  node_of_slot_[slot] = node;
  return result;
}

Binding MediumSession::bind_cid(Slot slot, std::uint32_t cid) {
  const auto node = medium_.node_for_cid(cid);
  if (!node) return {};
  return bind(slot, *node, fmt::format("VSOCK CID {}", cid));
}

void MediumSession::unbind(Slot slot) {
  const auto it = node_of_slot_.find(slot);
  if (it != node_of_slot_.end()) {
    if (slot_of_node_[it->second] == slot) slot_of_node_[it->second].reset();
    node_of_slot_.erase(it);
  }
  unknown_reported_.erase(slot);
}

std::optional<medium::NodeId> MediumSession::node_of(Slot slot) const {
  const auto it = node_of_slot_.find(slot);
  if (it == node_of_slot_.end()) return std::nullopt;
  return it->second;
}

namespace {

constexpr std::size_t kMaxLearnedAddresses = 1024;
// hwsim plans at most 4 rates x max_rate_tries (11); a bound for hand-made messages.
constexpr std::uint32_t kMaxAttempts = 64;

bool is_retryable(medium::Verdict verdict) {
  // Lost on the air: the next attempt draws again. Deaf, down, other channel, or over
  // the rate limit at this instant: every retry would fail the same way.
  return verdict == medium::Verdict::drop_loss;
}

}  // namespace

void MediumSession::learn_address(medium::NodeId sender, std::span<const std::uint8_t> frame) {
  const auto addr2 = wire::addr2_of(frame);
  if (!addr2 || medium::matches_prefix(medium_.topology().nodes[sender].mac_prefix, *addr2)) return;
  const auto it = learned_addresses_.find(*addr2);
  if (it != learned_addresses_.end()) {
    it->second = sender;
  } else if (learned_addresses_.size() < kMaxLearnedAddresses) {
    learned_addresses_.emplace(*addr2, sender);
  }
}

std::optional<medium::NodeId> MediumSession::node_of_address(
    const wire::MacAddress& address) const {
  if (auto node = medium_.node_for_transmitter(address)) return node;
  const auto it = learned_addresses_.find(address);
  if (it == learned_addresses_.end()) return std::nullopt;
  return it->second;
}

void MediumSession::decide_ack(const medium::FrameInfo& info, std::span<const std::uint8_t> frame,
                               std::uint64_t now_us, std::vector<medium::Delivery>& decisions,
                               AckRequest& ack) {
  const std::uint32_t planned = std::clamp<std::uint32_t>(ack.planned_attempts, 1, kMaxAttempts);
  ack.outcome = {.acked = false, .attempts = planned};
  const auto addr1 = wire::addr1_of(frame);
  const auto dest = addr1 ? node_of_address(*addr1) : std::nullopt;
  if (!dest) return;  // nobody owns that address: no ACK comes
  if (*dest == info.sender) {
    // Another radio of the sender's own VM: the frame never crosses the medium, and the
    // local forward (the agent's or the vhost-user guest's) hands it over at once.
    ack.outcome = {.acked = true, .attempts = 1};
    ack.signal_dbm = static_cast<std::int8_t>(wire::kLocalSignalDbm);
    return;
  }
  const std::size_t index = *dest < info.sender ? *dest : *dest - 1u;  // decide() skips sender
  if (index >= decisions.size()) return;
  LinkCounter& c = counters_.at(info.sender, *dest);
  medium::Delivery& delivery = decisions[index];
  std::uint32_t attempts = 1;
  while (delivery.verdict != medium::Verdict::deliver && is_retryable(delivery.verdict) &&
         attempts < planned) {
    // The failed attempt is counted here; the final one by route() like any frame.
    ++c.sent;
    c.bytes_sent += info.bytes;
    ++c.dropped[static_cast<int>(reason_of(delivery.verdict))];
    ++c.retries;
    ++attempts;
    delivery = medium_.retry(info, *dest, now_us);
  }
  const bool acked = delivery.verdict == medium::Verdict::deliver && slot_of_node_[*dest];
  ack.outcome = {.acked = acked, .attempts = acked ? attempts : planned};
  ack.signal_dbm = acked ? delivery.signal_dbm : 0;
  ++(acked ? c.acked : c.unacked);
}

void MediumSession::route(Slot from, std::span<const std::uint8_t> message, std::uint64_t now_us,
                          RouteResult& out, AckRequest* ack) {
  out.clear();
  if (ack != nullptr) ack->outcome = {.acked = false, .attempts = ack->planned_attempts};
  const wire::FrameRouting routing = wire::read_frame_routing(message);
  out.capture.topology = true;
  out.capture.freq_mhz = routing.freq_mhz;
  out.capture.frame = routing.frame;
  out.capture.interface_id = static_cast<std::uint32_t>(medium_.topology().nodes.size());
  auto sender = node_of(from);
  if (!sender) {
    const auto node =
        routing.transmitter ? medium_.node_for_transmitter(*routing.transmitter) : std::nullopt;
    if (!node) {
      ++unbound_frames_;
      if (!unknown_reported_[from]) {
        unknown_reported_[from] = true;
        out.binding = {
            Binding::Kind::unknown_sender,
            routing.transmitter
                ? fmt::format("transmitter {} matches no node's MAC prefix; its frames are dropped",
                              routing.transmitter->to_string())
                : std::string("frame without a transmitter address; its frames are dropped")};
      }
      return;
    }
    out.binding =
        bind(from, *node, fmt::format("transmitter {}", routing.transmitter->to_string()));
    sender = node;
  }
  out.capture.interface_id = *sender;

  medium::FrameInfo info;
  info.sender = *sender;
  info.bytes = routing.frame.size();
  info.kind = medium::classify_frame(routing.frame);
  info.freq_mhz = routing.freq_mhz;
  info.tx_power_dbm = static_cast<std::int8_t>(message[0]);
  std::vector<medium::Delivery>& decisions = out.capture.verdicts;
  medium_.decide(info, now_us, decisions);
  learn_address(*sender, routing.frame);
  if (ack != nullptr) decide_ack(info, routing.frame, now_us, decisions, *ack);

  for (const medium::Delivery& d : decisions) {
    LinkCounter& c = counters_.at(*sender, d.receiver);
    if (d.verdict == medium::Verdict::drop_deaf) {  // no link: counted, but nothing was sent on it
      ++c.dropped[static_cast<int>(DropReason::deaf)];
      out.drops.push_back({d.receiver, DropReason::deaf});
      continue;
    }
    ++c.sent;
    c.bytes_sent += info.bytes;
    if (d.verdict != medium::Verdict::deliver) {
      ++c.dropped[static_cast<int>(reason_of(d.verdict))];
      out.drops.push_back({d.receiver, reason_of(d.verdict)});
      continue;
    }
    const auto& receiver_slot = slot_of_node_[d.receiver];
    if (!receiver_slot) {
      ++c.dropped[static_cast<int>(DropReason::unbound)];
      out.drops.push_back({d.receiver, DropReason::unbound});
      continue;
    }
    ++c.delivered;
    c.bytes_delivered += info.bytes;
    c.delay_us_total += d.delay_us;
    out.deliveries.push_back({*receiver_slot, d.signal_dbm, d.delay_us, true, *sender, d.receiver,
                              static_cast<std::uint32_t>(info.bytes)});
  }
}

std::string MediumSession::set_link(const std::string& a, const std::string& b,
                                    const medium::LinkOverrides& changes, bool one_way) {
  const auto& topo = medium_.topology();
  const auto from = topo.find_node(a);
  const auto to = topo.find_node(b);
  if (!from) return fmt::format("unknown node '{}'", a);
  if (!to) return fmt::format("unknown node '{}'", b);
  if (*from == *to) return "a link needs two different nodes";
  medium_.set_link(*from, *to, medium::apply_overrides(medium_.link_params(*from, *to), changes));
  if (!one_way)
    medium_.set_link(*to, *from, medium::apply_overrides(medium_.link_params(*to, *from), changes));
  return {};
}

std::string MediumSession::stats_json(const QueueDrops& queue) const {
  std::string links = reported_counters(counters_, queue).to_json(medium_.topology());
  links.pop_back();  // reopen the object to add the relay-wide figures
  return links + fmt::format(R"(,"unbound_frames":{}}})", unbound_frames_);
}

}  // namespace vmesh::relay
