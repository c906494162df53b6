#include "medium/topology.hpp"

#include <algorithm>

namespace vmesh::medium {

LinkParams apply_overrides(LinkParams base, const LinkOverrides& overrides) {
  if (overrides.loss_prob) base.loss_prob = *overrides.loss_prob;
  if (overrides.delay_us) base.delay_us = *overrides.delay_us;
  if (overrides.jitter_us) base.jitter_us = *overrides.jitter_us;
  if (overrides.reorder) base.reorder = *overrides.reorder;
  if (overrides.rate_bps) base.rate_bps = *overrides.rate_bps;
  if (overrides.burst_bytes) base.burst_bytes = *overrides.burst_bytes;
  if (overrides.queue_us) base.queue_us = *overrides.queue_us;
  if (overrides.burst_loss) base.burst_loss = overrides.burst_loss;
  if (overrides.signal_dbm) base.signal_dbm = overrides.signal_dbm;
  return base;
}

std::optional<NodeId> Topology::find_node(std::string_view name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return static_cast<NodeId>(i);
  }
  return std::nullopt;
}

namespace {
constexpr std::uint8_t kLocalBitMask = 0x40;
}  // namespace

bool same_identity(const MacPrefix& a, const MacPrefix& b) {
  if ((a[0] | kLocalBitMask) != (b[0] | kLocalBitMask)) return false;
  return std::equal(a.begin() + 1, a.end(), b.begin() + 1);
}

bool matches_prefix(const MacPrefix& prefix, const vmesh::wire::MacAddress& address) {
  if ((prefix[0] | kLocalBitMask) != (address.bytes[0] | kLocalBitMask)) return false;
  return std::equal(prefix.begin() + 1, prefix.end(), address.bytes.begin() + 1);
}

MacPrefix default_mac_prefix(NodeId index) {
  return MacPrefix{0x02, 0x00, 0x00, 0x00, static_cast<std::uint8_t>((index + 1U) & 0xffU)};
}

std::optional<std::uint32_t> channel_to_freq_mhz(std::uint32_t channel) {
  if (channel >= 1 && channel <= 13) return 2407 + 5 * channel;
  if (channel == 14) return 2484;
  if (channel >= 32 && channel <= 177) return 5000 + 5 * channel;
  return std::nullopt;
}

std::optional<LinkParams> listed_link_params(const Topology& topology, NodeId from, NodeId to) {
  const LinkSpec* symmetric = nullptr;
  const LinkSpec* one_way = nullptr;
  for (const LinkSpec& link : topology.links) {
    if (link.symmetric) {
      if ((link.from == from && link.to == to) || (link.from == to && link.to == from)) {
        symmetric = &link;
      }
    } else if (link.from == from && link.to == to) {
      one_way = &link;
    }
  }
  if (symmetric == nullptr && one_way == nullptr) return std::nullopt;
  LinkParams params = topology.medium.defaults;
  if (symmetric != nullptr) params = apply_overrides(params, symmetric->params);
  if (one_way != nullptr) params = apply_overrides(params, one_way->params);
  return params;
}

}  // namespace vmesh::medium
