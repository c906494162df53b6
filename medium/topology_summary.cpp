#include "medium/topology_summary.hpp"

#include <fmt/format.h>

#include "base/wire/wire_format.hpp"
#include "medium/medium.hpp"
#include "medium/path_loss.hpp"
#include "medium/units.hpp"

namespace vmesh::medium {

namespace {

std::string_view action_name(EventAction action) {
  switch (action) {
    case EventAction::link_down:
      return "link_down";
    case EventAction::link_up:
      return "link_up";
    case EventAction::set_link:
      return "set_link";
    case EventAction::ramp:
      return "ramp";
    case EventAction::partition:
      return "partition";
    case EventAction::heal:
      return "heal";
    case EventAction::node_down:
      return "node_down";
    case EventAction::node_up:
      return "node_up";
    case EventAction::move:
      return "move";
  }
  return "?";
}

std::string describe_params(const LinkParams& p) {
  std::string text = fmt::format("loss {:g} delay {} jitter {}", p.loss_prob,
                                 format_duration(p.delay_us), format_duration(p.jitter_us));
  if (p.reorder) text += " reorder";
  if (p.rate_bps != 0) {
    text += fmt::format(" rate {} burst {}B queue {}", format_rate(p.rate_bps), p.burst_bytes,
                        format_duration(p.queue_us));
  }
  if (p.burst_loss) {
    const BurstLoss& ge = *p.burst_loss;
    text += fmt::format(" burst_loss(enter {:g} leave {:g} loss_good {:g} loss_bad {:g})",
                        ge.enter_prob, ge.leave_prob, ge.loss_good, ge.loss_bad);
  }
  if (p.signal_dbm) text += fmt::format(" signal {} dBm", *p.signal_dbm);
  return text;
}

std::string describe_overrides(const LinkOverrides& o) {
  std::string text;
  if (o.loss_prob) text += fmt::format(" loss {:g}", *o.loss_prob);
  if (o.delay_us) text += fmt::format(" delay {}", format_duration(*o.delay_us));
  if (o.jitter_us) text += fmt::format(" jitter {}", format_duration(*o.jitter_us));
  if (o.reorder) text += fmt::format(" reorder {}", *o.reorder);
  if (o.rate_bps) text += fmt::format(" rate {}", format_rate(*o.rate_bps));
  if (o.burst_bytes) text += fmt::format(" burst {}B", *o.burst_bytes);
  if (o.queue_us) text += fmt::format(" queue {}", format_duration(*o.queue_us));
  if (o.burst_loss)
    text += fmt::format(" burst_loss(enter {:g} leave {:g})", o.burst_loss->enter_prob,
                        o.burst_loss->leave_prob);
  if (o.signal_dbm) text += fmt::format(" signal {} dBm", *o.signal_dbm);
  return text;
}

std::string mac_prefix_text(const MacPrefix& prefix) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", prefix[0], prefix[1], prefix[2],
                     prefix[3], prefix[4]);
}

}  // namespace

std::string summarize_topology(const Topology& topology,
                               const std::vector<std::string>& node_notes) {
  const auto name = [&](NodeId id) -> const std::string& { return topology.nodes[id].name; };
  const MediumSpec& medium = topology.medium;
  std::string out = fmt::format("topology {} ({}), seed {}\n",
                                topology.meta.name.empty() ? "(unnamed)" : topology.meta.name,
                                topology.source_name, topology.meta.seed);
  static constexpr std::string_view kModels[] = {"none", "free_space", "log_distance"};
  out += fmt::format("medium: default {}, channel {}, path loss {}\n",
                     medium.default_reach == DefaultReach::all ? "all" : "none",
                     medium.channel ? fmt::format("{} ({} MHz)", *medium.channel,
                                                  *channel_to_freq_mhz(*medium.channel))
                                    : std::string("any"),
                     kModels[static_cast<int>(medium.path_loss)]);

  out += fmt::format("nodes ({}):\n", topology.nodes.size());
  for (std::size_t index = 0; index < topology.nodes.size(); ++index) {
    const NodeSpec& node = topology.nodes[index];
    out += fmt::format("  {} mac {}:xx", node.name, mac_prefix_text(node.mac_prefix));
    if (node.vsock_cid) out += fmt::format(" cid {}", *node.vsock_cid);
    if (node.channel) out += fmt::format(" channel {}", *node.channel);
    if (node.position)
      out += fmt::format(" position ({:g}, {:g}, {:g}) m", node.position->x_m, node.position->y_m,
                         node.position->z_m);
    if (index < node_notes.size()) out += node_notes[index];
    out += '\n';
  }

  const Medium model(topology, topology.meta.seed);
  out += "links at the start (from -> to):\n";
  std::size_t deaf = 0;
  for (NodeId from = 0; from < topology.nodes.size(); ++from) {
    for (NodeId to = 0; to < topology.nodes.size(); ++to) {
      if (from == to) continue;
      if (!model.hears(from, to)) {
        ++deaf;
        continue;
      }
      const LinkParams& params = model.link_params(from, to);
      out += fmt::format("  {} -> {}: {}", name(from), name(to), describe_params(params));
      const NodeSpec& a = topology.nodes[from];
      const NodeSpec& b = topology.nodes[to];
      if (!params.signal_dbm && medium.path_loss != PathLossModel::none && a.position &&
          b.position) {
        const double distance = distance_m(*a.position, *b.position);
        const double freq =
            medium.channel ? *channel_to_freq_mhz(*medium.channel) : vmesh::wire::kDefaultFreqMhz;
        out += fmt::format(" signal {} dBm at {:.1f} m",
                           clamp_signal_dbm(vmesh::wire::kDefaultTxPowerDbm -
                                            path_loss_db(medium, distance, freq)),
                           distance);
      }
      out += '\n';
    }
  }
  out += fmt::format("  ({} directed pairs deaf)\n", deaf);

  out += fmt::format("events ({}):\n", topology.events.size());
  for (const Event& event : topology.events) {
    out += fmt::format("  at {} {}", format_duration(event.at_us), action_name(event.action));
    switch (event.action) {
      case EventAction::link_down:
      case EventAction::link_up:
      case EventAction::set_link:
      case EventAction::ramp:
        out += fmt::format(" {} {} {}", name(event.from), event.symmetric ? "-" : "->",
                           name(event.to));
        out += describe_overrides(event.params);
        if (event.action == EventAction::ramp)
          out += fmt::format(" over {}", format_duration(event.duration_us));
        break;
      case EventAction::partition:
        for (const auto& group : event.groups) {
          out += " [";
          for (std::size_t i = 0; i < group.size(); ++i)
            out += (i != 0 ? " " : "") + name(group[i]);
          out += "]";
        }
        break;
      case EventAction::heal:
        break;
      case EventAction::node_down:
      case EventAction::node_up:
        out += fmt::format(" {}", name(event.node));
        break;
      case EventAction::move:
        out += fmt::format(" {} to ({:g}, {:g}, {:g}) m", name(event.node), event.position.x_m,
                           event.position.y_m, event.position.z_m);
        break;
    }
    out += '\n';
  }
  return out;
}

}  // namespace vmesh::medium
