#include "medium/event_reader.hpp"

#include <algorithm>
#include <array>

#include "medium/link_reader.hpp"

namespace vmesh::medium {

namespace {

struct ActionInfo {
  std::string_view name;
  EventAction action;
};

constexpr std::array<ActionInfo, 9> kActions{{
    {"link_down", EventAction::link_down},
    {"link_up", EventAction::link_up},
    {"set_link", EventAction::set_link},
    {"ramp", EventAction::ramp},
    {"partition", EventAction::partition},
    {"heal", EventAction::heal},
    {"node_down", EventAction::node_down},
    {"node_up", EventAction::node_up},
    {"move", EventAction::move},
}};

void read_link_change(const TomlReader& reader, const toml::table& table, const Topology& topology,
                      const std::string& name, Event& event) {
  const std::string where = "[[event]] " + name;
  const bool ramp = event.action == EventAction::ramp;
  if (ramp) {
    reader.check_keys(table, where, {"at", "action", "nodes", "from", "to", "duration"}, kRampKeys);
  } else {
    reader.check_keys(table, where, {"at", "action", "nodes", "from", "to"}, kLinkParamKeys);
  }
  read_endpoints(reader, table, topology, event.from, event.to, event.symmetric);
  event.params = read_link_params(reader, table);
  if (event.params == LinkOverrides{}) {
    reader.fail(table, name + " needs at least one link parameter (" +
                           join_keys(ramp ? kRampKeys : kLinkParamKeys) + ")");
  }
  if (ramp) {
    const toml::node* duration = table.get("duration");
    if (duration == nullptr) reader.fail(table, "ramp needs a duration such as \"10s\"");
    event.duration_us = reader.get_duration(*duration, "duration");
  }
}

void read_partition(const TomlReader& reader, const toml::table& table, const Topology& topology,
                    Event& event) {
  reader.check_keys(table, "[[event]] partition", {"at", "action", "groups"});
  const toml::node* groups = table.get("groups");
  const toml::array* outer = groups ? groups->as_array() : nullptr;
  if (outer == nullptr || outer->empty()) {
    reader.fail(groups ? *groups : static_cast<const toml::node&>(table),
                "partition needs groups = [[\"a\", \"b\"], [\"c\"]]");
  }
  std::vector<bool> seen(topology.nodes.size(), false);
  for (const toml::node& group_node : *outer) {
    const toml::array* group = group_node.as_array();
    if (group == nullptr)
      reader.fail(group_node, "each partition group must be an array of node names");
    event.groups.emplace_back();
    for (const toml::node& member : *group) {
      const NodeId id = reader.get_node(member, "groups", topology);
      if (seen[id])
        reader.fail(member, "node '" + topology.nodes[id].name + "' is in more than one group");
      seen[id] = true;
      event.groups.back().push_back(id);
    }
  }
}

void read_node_event(const TomlReader& reader, const toml::table& table, const Topology& topology,
                     const std::string& name, Event& event) {
  const std::string where = "[[event]] " + name;
  const bool move = event.action == EventAction::move;
  if (move) {
    reader.check_keys(table, where, {"at", "action", "node", "position"});
  } else {
    reader.check_keys(table, where, {"at", "action", "node"});
  }
  const toml::node* target = table.get("node");
  if (target == nullptr) reader.fail(table, name + " needs node = \"name\"");
  event.node = reader.get_node(*target, "node", topology);
  if (move) {
    const toml::node* position = table.get("position");
    if (position == nullptr) reader.fail(table, "move needs position = [x, y] or [x, y, z]");
    if (topology.medium.path_loss == PathLossModel::none) {
      reader.fail(*position,
                  "move needs a path-loss model; expected [medium] path_loss = \"free_space\" or "
                  "\"log_distance\"");
    }
    event.position = reader.get_position(*position);
  }
}

}  // namespace

void read_events(const TomlReader& reader, const toml::node& node, const ForeignKeys& foreign,
                 Topology& topology) {
  for (const toml::node& element : reader.require_array_of_tables(node, "event")) {
    const toml::table& table = *element.as_table();
    const toml::node* at = table.get("at");
    const toml::node* action = table.get("action");
    if (at == nullptr || action == nullptr)
      reader.fail(table, "[[event]] needs at (a time such as \"30s\") and action");
    Event event;
    event.at_us = reader.get_duration(*at, "at");
    const std::string name = reader.get_string(*action, "action");
    if (std::find(foreign.event_actions.begin(), foreign.event_actions.end(), name) !=
        foreign.event_actions.end()) {
      continue;
    }
    const auto* info =
        std::find_if(kActions.begin(), kActions.end(),
                     [&](const ActionInfo& candidate) { return candidate.name == name; });
    if (info == kActions.end()) {
      std::string names;
      for (const ActionInfo& candidate : kActions)
        names += (names.empty() ? "" : ", ") + std::string(candidate.name);
      for (std::string_view candidate : foreign.event_actions)
        names += ", " + std::string(candidate);
      reader.fail(*action, "unknown action '" + name + "'; expected one of: " + names);
    }
    event.action = info->action;
    switch (event.action) {
      case EventAction::link_down:
      case EventAction::link_up:
        reader.check_keys(table, "[[event]] " + name, {"at", "action", "nodes", "from", "to"});
        read_endpoints(reader, table, topology, event.from, event.to, event.symmetric);
        break;
      case EventAction::set_link:
      case EventAction::ramp:
        read_link_change(reader, table, topology, name, event);
        break;
      case EventAction::partition:
        read_partition(reader, table, topology, event);
        break;
      case EventAction::heal:
        reader.check_keys(table, "[[event]] heal", {"at", "action"});
        break;
      case EventAction::node_down:
      case EventAction::node_up:
      case EventAction::move:
        read_node_event(reader, table, topology, name, event);
        break;
    }
    topology.events.push_back(std::move(event));
  }
  std::stable_sort(topology.events.begin(), topology.events.end(),
                   [](const Event& a, const Event& b) { return a.at_us < b.at_us; });
}

}  // namespace vmesh::medium
