#include "medium/topology_dot.hpp"

#include <fmt/format.h>

#include <regex>
#include <vector>

#include "medium/medium.hpp"
#include "medium/units.hpp"

namespace vmesh::medium {

namespace {

std::string describe(const LinkParams& p) {
  std::vector<std::string> parts;
  if (p.loss_prob > 0) parts.push_back(fmt::format("loss {:g}%", p.loss_prob * 100));
  if (p.burst_loss) parts.push_back("burst loss");
  if (p.delay_us > 0) parts.push_back(format_duration(p.delay_us));
  if (p.jitter_us > 0) parts.push_back("±" + format_duration(p.jitter_us));
  if (p.rate_bps > 0) parts.push_back(format_rate(p.rate_bps));
  if (p.signal_dbm) parts.push_back(fmt::format("{} dBm", *p.signal_dbm));
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string measured_label(const MeasuredLinks& measured, const std::string& from,
                           const std::string& to) {
  const auto it = measured.find({from, to});
  if (it == measured.end() || it->second.sent == 0) return {};
  return fmt::format(
      "{:.0f}% of {}",
      100.0 * static_cast<double>(it->second.delivered) / static_cast<double>(it->second.sent),
      it->second.sent);
}

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string topology_to_dot(const Topology& topology, const MeasuredLinks& measured) {
  const Medium medium(topology, 0);  // parameters and reach at t = 0
  const auto& nodes = topology.nodes;
  std::string dot = fmt::format("graph {} {{\n  graph [label={}, labelloc=t, fontname=\"sans\"];\n",
                                quote(topology.meta.name), quote(topology.meta.name));
  dot += "  node [shape=circle, style=filled, fillcolor=\"#dbe9f6\", fontname=\"sans\"];\n";
  dot += "  edge [fontname=\"sans\", fontsize=10];\n";
  for (const auto& node : nodes) dot += "  " + quote(node.name) + ";\n";

  const auto n = static_cast<NodeId>(nodes.size());
  for (NodeId a = 0; a < n; ++a) {
    for (NodeId b = static_cast<NodeId>(a + 1); b < n; ++b) {
      const bool ab = medium.hears(a, b);
      const bool ba = medium.hears(b, a);
      if (!ab && !ba) continue;
      const std::string& na = nodes[a].name;
      const std::string& nb = nodes[b].name;
      if (ab && ba && medium.link_params(a, b) == medium.link_params(b, a)) {
        std::string label = describe(medium.link_params(a, b));
        for (const auto& m : {measured_label(measured, na, nb), measured_label(measured, nb, na)}) {
          if (!m.empty()) label += (label.empty() ? "" : "\n") + m;
        }
        dot += fmt::format("  {} -- {} [label={}];\n", quote(na), quote(nb), quote(label));
        continue;
      }
      const auto arrow = [&](NodeId from, NodeId to) {
        std::string label = describe(medium.link_params(from, to));
        const std::string m = measured_label(measured, nodes[from].name, nodes[to].name);
        if (!m.empty()) label += (label.empty() ? "" : "\n") + m;
        dot += fmt::format("  {} -- {} [dir=forward, label={}];\n", quote(nodes[from].name),
                           quote(nodes[to].name), quote(label));
      };
      if (ab) arrow(a, b);
      if (ba) arrow(b, a);
    }
  }
  return dot + "}\n";
}

MeasuredLinks parse_relay_stats(const std::string& json) {
  MeasuredLinks links;
  static const std::regex entry(
      R"re(\{"from":"([^"]+)","to":"([^"]+)","sent":([0-9]+),"delivered":([0-9]+))re");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), entry);
       it != std::sregex_iterator(); ++it) {
    links[{(*it)[1], (*it)[2]}] = {std::stoull((*it)[3]), std::stoull((*it)[4])};
  }
  return links;
}

}  // namespace vmesh::medium
