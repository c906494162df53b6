// [[event]]s whose action is node_kill, node_start or relay_restart (the medium reads the
// others and has checked every event's at and action).
#include <algorithm>
#include <array>
#include <string>

#include "launcher/scenario/scenario_readers.hpp"

namespace vmesh::launcher {

namespace {

constexpr std::array<RunActionKind, 3> kKinds{RunActionKind::node_kill, RunActionKind::node_start,
                                              RunActionKind::relay_restart};

constexpr std::uint64_t kMaxRelayDownUs = 60'000'000;

struct SourcedRunAction {
  RunAction action;
  const toml::table* table;  // for errors
};

RunAction read_run_action(const medium::TomlReader& reader, const toml::table& table,
                          RunActionKind kind, const medium::Topology& topology) {
  RunAction action;
  action.at_us = reader.get_duration(*table.get("at"), "at");
  action.kind = kind;
  const std::string where = std::string("[[event]] ") + to_string(kind);
  if (kind == RunActionKind::relay_restart) {
    reader.check_keys(table, where, {"at", "action", "down_for"});
    if (const toml::node* down_for = table.get("down_for")) {
      action.down_for_us = reader.get_duration(*down_for, "down_for");
      if (action.down_for_us > kMaxRelayDownUs)
        reader.fail(*down_for,
                    "down_for must be at most 60s (agents back off up to 1 s between tries)");
    }
    return action;
  }
  reader.check_keys(table, where, {"at", "action", "node"});
  const toml::node* target = table.get("node");
  if (target == nullptr) reader.fail(table, where.substr(10) + " needs node = \"name\"");
  action.node = reader.get_node(*target, "node", topology);
  return action;
}

}  // namespace

void read_run_actions(const medium::TomlReader& reader, const toml::node& events,
                      Scenario& scenario) {
  std::vector<SourcedRunAction> actions;
  for (const toml::node& element : reader.require_array_of_tables(events, "event")) {
    const toml::table& table = *element.as_table();
    const std::string name = reader.get_string(*table.get("action"), "action");
    const auto* kind = std::find_if(kKinds.begin(), kKinds.end(),
                                    [&](RunActionKind k) { return name == to_string(k); });
    if (kind == kKinds.end()) continue;  // a medium event
    actions.push_back({read_run_action(reader, table, *kind, scenario.topology), &table});
  }
  std::stable_sort(actions.begin(), actions.end(),
                   [](const SourcedRunAction& a, const SourcedRunAction& b) {
                     return a.action.at_us < b.action.at_us;
                   });
  const auto& nodes = scenario.topology.nodes;
  std::vector<bool> killed(nodes.size(), false);
  for (const auto& [action, table] : actions) {
    if (action.kind == RunActionKind::node_kill) {
      if (killed[action.node]) {
        reader.fail(*table, "node_kill: '" + nodes[action.node].name +
                                "' is already killed at this time; node_start it first");
      }
      killed[action.node] = true;
    } else if (action.kind == RunActionKind::node_start) {
      if (!killed[action.node]) {
        reader.fail(*table, "node_start: '" + nodes[action.node].name +
                                "' is running at this time; node_kill it earlier");
      }
      killed[action.node] = false;
    }
    scenario.run_actions.push_back(action);
  }
}

}  // namespace vmesh::launcher
