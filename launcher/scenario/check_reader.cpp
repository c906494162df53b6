// [[check]]: exactly one of ping, neighbors, route, iperf, associated, uplink, with an optional
// deadline/after.
#include <string>

#include "launcher/scenario/node_profile.hpp"
#include "launcher/scenario/scenario_readers.hpp"

namespace vmesh::launcher {

namespace {

using medium::Keys;
using medium::TomlReader;

void read_pair(const TomlReader& reader, const toml::table& table, const medium::Topology& topology,
               Check& check, Keys allowed) {
  reader.check_keys(table, "check", allowed);
  const toml::node* from = table.get("from");
  const toml::node* to = table.get("to");
  if (from == nullptr || to == nullptr) reader.fail(table, "check needs from and to");
  check.from = reader.get_node(*from, "from", topology);
  check.to = reader.get_node(*to, "to", topology);
  if (check.from == check.to) reader.fail(*to, "from and to must be different nodes");
}

void read_ping(const TomlReader& reader, const toml::node& node, const medium::Topology& topology,
               Check& check) {
  check.kind = CheckKind::ping;
  const toml::table& ping = reader.require_table(node, "ping");
  read_pair(reader, ping, topology, check,
            {"from", "to", "count", "max_loss", "min_loss", "min_rtt_ms", "max_rtt_ms"});
  if (auto* c = ping.get("count"))
    check.count = static_cast<std::uint32_t>(reader.get_int(*c, "count", 1, 100000));
  if (auto* l = ping.get("max_loss")) check.max_loss_prob = reader.get_probability(*l, "max_loss");
  if (auto* l = ping.get("min_loss")) {
    check.min_loss_prob = reader.get_probability(*l, "min_loss");
    if (ping.get("max_loss") == nullptr) check.max_loss_prob = 1.0;
    if (check.min_loss_prob > check.max_loss_prob)
      reader.fail(*l, "min_loss must not exceed max_loss");
  }
  for (const char* key : {"min_rtt_ms", "max_rtt_ms"}) {
    if (auto* r = ping.get(key)) {
      const double ms = reader.get_number(*r, key);
      if (!(ms >= 0.0))
        reader.fail(*r, std::string(key) + " must be a non-negative number of milliseconds");
      (std::string_view(key) == "min_rtt_ms" ? check.min_rtt_ms : check.max_rtt_ms) = ms;
    }
  }
}

}  // namespace

void read_checks(const TomlReader& reader, const toml::node& checks, Scenario& scenario) {
  const medium::Topology& topology = scenario.topology;
  for (const toml::node& element : reader.require_array_of_tables(checks, "check")) {
    const toml::table& table = *element.as_table();
    reader.check_keys(
        table, "[[check]]",
        {"ping", "neighbors", "route", "iperf", "associated", "uplink", "deadline", "after"});
    Check check;
    int kinds = 0;
    if (auto* n = table.get("ping")) {
      ++kinds;
      read_ping(reader, *n, topology, check);
    }
    if (auto* n = table.get("neighbors")) {
      ++kinds;
      check.kind = CheckKind::neighbors;
      check.neighbors = reader.get_string(*n, "neighbors");
      if (check.neighbors != "topology")
        reader.fail(*n, "neighbors must be \"topology\", got " + medium::quoted(*n));
    }
    if (auto* n = table.get("route")) {
      ++kinds;
      check.kind = CheckKind::route;
      const toml::table& route = reader.require_table(*n, "route");
      read_pair(reader, route, topology, check, {"from", "to", "via"});
      const toml::node* via = route.get("via");
      if (via == nullptr) reader.fail(route, "route needs via = \"node\"");
      check.via = reader.get_node(*via, "via", topology);
    }
    if (auto* n = table.get("iperf")) {
      ++kinds;
      check.kind = CheckKind::iperf;
      const toml::table& iperf = reader.require_table(*n, "iperf");
      read_pair(reader, iperf, topology, check, {"from", "to", "min_mbps"});
      if (auto* m = iperf.get("min_mbps")) {
        check.min_mbps = reader.get_number(*m, "min_mbps");
        if (!(check.min_mbps >= 0.0)) reader.fail(*m, "min_mbps must be a non-negative number");
      }
    }
    if (auto* n = table.get("associated")) {
      ++kinds;
      check.kind = CheckKind::associated;
      const toml::table& pair = reader.require_table(*n, "associated");
      reader.check_keys(pair, "check", {"sta", "ap"});
      const toml::node* sta = pair.get("sta");
      const toml::node* ap = pair.get("ap");
      if (sta == nullptr || ap == nullptr) reader.fail(pair, "associated needs sta and ap");
      check.from = reader.get_node(*sta, "sta", topology);
      check.to = reader.get_node(*ap, "ap", topology);
      if (scenario.nodes[check.from].profile != Profile::sta)
        reader.fail(*sta, "associated: sta must name a node of profile \"sta\"");
      if (scenario.nodes[check.to].profile != Profile::ap)
        reader.fail(*ap, "associated: ap must name a node of profile \"ap\"");
    }
    if (auto* n = table.get("uplink")) {
      ++kinds;
      check.kind = CheckKind::uplink;
      const toml::table& uplink = reader.require_table(*n, "uplink");
      reader.check_keys(uplink, "check", {"from", "via"});
      const toml::node* from = uplink.get("from");
      if (from == nullptr) reader.fail(uplink, "uplink needs from = \"node\"");
      check.from = reader.get_node(*from, "from", topology);
      check.to = check.from;
      if (auto* via = uplink.get("via")) {
        check.via = reader.get_node(*via, "via", topology);
        check.has_via = true;
        if (!scenario.nodes[check.via].gateway)
          reader.fail(*via, "uplink: via must name a node with gateway = true");
      }
      if (!has_gateway(scenario, scenario.nodes.size()))
        reader.fail(uplink, "uplink needs a gateway: a node with gateway = true");
    }
    if (kinds != 1)
      reader.fail(table,
                  "each [[check]] needs exactly one of: ping, neighbors, route, iperf, "
                  "associated, uplink");
    if (auto* n = table.get("deadline")) check.deadline_us = reader.get_duration(*n, "deadline");
    if (auto* n = table.get("after")) check.after_us = reader.get_duration(*n, "after");
    scenario.checks.push_back(std::move(check));
  }
}

}  // namespace vmesh::launcher
