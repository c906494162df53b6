// The only translation unit that includes toml++: TOML text -> Topology, with every
// validation error located at file:line:column.
#include "medium/topology_parser.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>

#include "medium/units.hpp"
#include "base/wire/mac_address.hpp"

namespace vmesh::medium {

namespace {

using Keys = std::initializer_list<std::string_view>;

// Namespace-scope initializer_lists keep their backing arrays for the whole program.
const Keys kLinkParamKeys{"loss",  "delay", "jitter",     "reorder",   "rate",
                          "burst", "queue", "burst_loss", "signal_dbm"};
const Keys kRampKeys{"loss", "delay", "jitter", "rate", "signal_dbm"};

std::string join(Keys keys) {
  std::string out;
  for (std::string_view key : keys) {
    if (!out.empty()) out += ", ";
    out += key;
  }
  return out;
}

// A value as the user wrote it, for messages: strings in double quotes, numbers in their
// shortest exact form, arrays element by element.
std::string quoted(const toml::node& node) {
  if (const auto* text = node.as_string()) return "\"" + text->get() + "\"";
  if (const auto* integer = node.as_integer()) return std::to_string(integer->get());
  if (const auto* boolean = node.as_boolean()) return boolean->get() ? "true" : "false";
  if (const auto* number = node.as_floating_point()) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number->get());
    return std::string(buffer.data(), result.ptr);
  }
  if (const auto* array = node.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < array->size(); ++i)
      out += (i != 0 ? ", " : "") + quoted(*array->get(i));
    return out + "]";
  }
  if (node.is_table()) return "a table";
  return "a date or time";
}

class Parser {
 public:
  explicit Parser(std::string_view source_name) : source_(source_name) {}

  Topology parse(std::string_view text);

 private:
  [[noreturn]] void fail(const toml::source_region& where, const std::string& message) const {
    throw TopologyError(source_, std::max<std::uint32_t>(where.begin.line, 1),
                        std::max<std::uint32_t>(where.begin.column, 1), message);
  }
  [[noreturn]] void fail(const toml::node& node, const std::string& message) const {
    fail(node.source(), message);
  }

  // Rejects keys of `table` not in `allowed` (or `extra`), at the key's position.
  void check_keys(const toml::table& table, std::string_view where, Keys allowed,
                  Keys extra = {}) const;
  const toml::table& require_table(const toml::node& node, const std::string& what) const;

  std::string get_string(const toml::node& node, const std::string& key) const;
  bool get_bool(const toml::node& node, const std::string& key) const;
  std::int64_t get_int(const toml::node& node, const std::string& key, std::int64_t min,
                       std::int64_t max) const;
  double get_number(const toml::node& node, const std::string& key) const;
  double get_probability(const toml::node& node, const std::string& key) const;
  std::uint64_t get_duration(const toml::node& node, const std::string& key) const;
  std::uint64_t get_rate(const toml::node& node, const std::string& key) const;
  NodeId get_node(const toml::node& node, const std::string& key) const;
  Position get_position(const toml::node& node) const;

  void parse_meta(const toml::table& table);
  void parse_medium(const toml::table& table);
  LinkOverrides parse_link_params(const toml::table& table) const;
  void check_jitter(const LinkParams& params, const toml::table& table,
                    const std::string& what) const;
  void parse_nodes(const toml::node& node);
  void parse_links(const toml::node& node);
  // Reads nodes = [a, b] or from/to into `from`, `to`, `symmetric`.
  void parse_endpoints(const toml::table& table, NodeId& from, NodeId& to, bool& symmetric) const;
  void parse_events(const toml::node& node);
  struct SourcedRunAction {
    RunAction action;
    const toml::table* table;  // for errors
  };
  RunAction parse_run_action(const toml::table& table, RunActionKind kind,
                             std::uint64_t at_us) const;
  void check_run_actions(std::vector<SourcedRunAction>& actions);
  void parse_checks(const toml::node& node);
  void parse_check_pair(const toml::table& table, Check& check, Keys allowed) const;

  std::string source_;
  Topology topology_;
};

void Parser::check_keys(const toml::table& table, std::string_view where, Keys allowed,
                        Keys extra) const {
  for (auto&& [key, value] : table) {
    // A named copy: lambdas may not capture structured bindings before C++20 compilers
    // caught up (clang 14, used for the fuzz build).
    const std::string_view name = key.str();
    const auto matches = [name](std::string_view k) { return k == name; };
    if (std::any_of(allowed.begin(), allowed.end(), matches) ||
        std::any_of(extra.begin(), extra.end(), matches)) {
      continue;
    }
    std::string expected = join(allowed);
    if (extra.size() != 0) expected += ", " + join(extra);
    fail(key.source(), "unknown key '" + std::string(key.str()) + "' in " + std::string(where) +
                           "; expected one of: " + expected);
  }
}

const toml::table& Parser::require_table(const toml::node& node, const std::string& what) const {
  if (!node.is_table()) fail(node, what + " must be a table");
  return *node.as_table();
}

std::string Parser::get_string(const toml::node& node, const std::string& key) const {
  if (!node.is_string()) fail(node, key + " must be a string, got " + quoted(node));
  return node.as_string()->get();
}

bool Parser::get_bool(const toml::node& node, const std::string& key) const {
  if (!node.is_boolean()) fail(node, key + " must be true or false, got " + quoted(node));
  return node.as_boolean()->get();
}

std::int64_t Parser::get_int(const toml::node& node, const std::string& key, std::int64_t min,
                             std::int64_t max) const {
  if (!node.is_integer() || node.as_integer()->get() < min || node.as_integer()->get() > max) {
    fail(node, key + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                   "], got " + quoted(node));
  }
  return node.as_integer()->get();
}

double Parser::get_number(const toml::node& node, const std::string& key) const {
  if (node.is_integer()) return static_cast<double>(node.as_integer()->get());
  if (node.is_floating_point()) return node.as_floating_point()->get();
  fail(node, key + " must be a number, got " + quoted(node));
}

double Parser::get_probability(const toml::node& node, const std::string& key) const {
  const bool numeric = node.is_integer() || node.is_floating_point();
  const double value = numeric ? get_number(node, key) : -1.0;
  if (!numeric || !(value >= 0.0 && value <= 1.0)) {
    fail(node, key + " must be a probability in [0, 1], got " + quoted(node));
  }
  return value;
}

std::uint64_t Parser::get_duration(const toml::node& node, const std::string& key) const {
  const std::string expected =
      " must be a non-negative duration such as \"250us\", \"2ms\", \"1.5s\" or \"2min\", got ";
  if (!node.is_string()) fail(node, key + expected + quoted(node));
  const DurationResult result = parse_duration(node.as_string()->get());
  if (!result.value_us) fail(node, key + expected + quoted(node));
  return *result.value_us;
}

std::uint64_t Parser::get_rate(const toml::node& node, const std::string& key) const {
  if (node.is_integer() && node.as_integer()->get() > 0) {
    return static_cast<std::uint64_t>(node.as_integer()->get());
  }
  const DurationResult result =
      node.is_string() ? parse_rate_bps(node.as_string()->get()) : DurationResult{};
  if (!result.value_us || *result.value_us == 0) {
    fail(node, key +
                   " must be a positive bit rate such as \"10Mbps\", \"512kbit\" or 1000000, got " +
                   quoted(node));
  }
  return *result.value_us;
}

NodeId Parser::get_node(const toml::node& node, const std::string& key) const {
  const std::string name = get_string(node, key);
  if (auto id = topology_.find_node(name)) return *id;
  std::string known;
  for (const NodeSpec& spec : topology_.nodes) known += (known.empty() ? "" : ", ") + spec.name;
  fail(node, "unknown node '" + name + "' in " + key + "; expected one of: " + known);
}

Position Parser::get_position(const toml::node& node) const {
  const toml::array* array = node.as_array();
  if (array == nullptr || array->size() < 2 || array->size() > 3) {
    fail(node, "position must be [x, y] or [x, y, z] in metres, got " + quoted(node));
  }
  Position position;
  position.x_m = get_number(*array->get(0), "position x");
  position.y_m = get_number(*array->get(1), "position y");
  if (array->size() == 3) position.z_m = get_number(*array->get(2), "position z");
  return position;
}

void Parser::parse_meta(const toml::table& table) {
  check_keys(table, "[meta]", {"name", "description", "seed"});
  if (auto* n = table.get("name")) topology_.meta.name = get_string(*n, "name");
  if (auto* n = table.get("description"))
    topology_.meta.description = get_string(*n, "description");
  if (auto* n = table.get("seed")) {
    topology_.meta.seed = static_cast<std::uint64_t>(
        get_int(*n, "seed", 0, std::numeric_limits<std::int64_t>::max()));
  }
}

void Parser::parse_medium(const toml::table& table) {
  check_keys(table, "[medium]",
             {"default", "channel", "path_loss", "path_loss_exponent", "reference_distance",
              "sensitivity_dbm", "default_signal_dbm", "defaults", "acks"});
  MediumSpec& medium = topology_.medium;
  if (auto* n = table.get("acks")) {
    const std::string mode = get_string(*n, "acks");
    if (mode == "always") {
      medium.acks = AckMode::always;
    } else if (mode == "medium") {
      medium.acks = AckMode::medium;
    } else {
      fail(*n,
           "acks must be \"always\" (every frame acknowledged by its sender, as vwifi) or "
           "\"medium\" (unicast frames acknowledged only when the medium delivered them), "
           "got " +
               quoted(*n));
    }
  }
  if (auto* n = table.get("default")) {
    const std::string value = get_string(*n, "default");
    if (value == "none") {
      medium.default_reach = DefaultReach::none;
    } else if (value == "all") {
      medium.default_reach = DefaultReach::all;
    } else {
      fail(*n, "default must be \"none\" or \"all\", got " + quoted(*n));
    }
  }
  if (auto* n = table.get("channel")) {
    const auto channel = static_cast<std::uint32_t>(get_int(*n, "channel", 1, 177));
    if (!channel_to_freq_mhz(channel))
      fail(*n, "channel must be 1-14 or 32-177, got " + quoted(*n));
    medium.channel = channel;
  }
  if (auto* n = table.get("path_loss")) {
    const std::string value = get_string(*n, "path_loss");
    if (value == "none") {
      medium.path_loss = PathLossModel::none;
    } else if (value == "free_space") {
      medium.path_loss = PathLossModel::free_space;
    } else if (value == "log_distance") {
      medium.path_loss = PathLossModel::log_distance;
    } else {
      fail(*n, "path_loss must be \"none\", \"free_space\" or \"log_distance\", got " + quoted(*n));
    }
  }
  if (auto* n = table.get("path_loss_exponent")) {
    medium.path_loss_exponent = get_number(*n, "path_loss_exponent");
    if (!(medium.path_loss_exponent > 0.0)) fail(*n, "path_loss_exponent must be positive");
  }
  if (auto* n = table.get("reference_distance")) {
    medium.reference_distance_m = get_number(*n, "reference_distance");
    if (!(medium.reference_distance_m > 0.0))
      fail(*n, "reference_distance must be positive (metres)");
  }
  if (auto* n = table.get("sensitivity_dbm")) {
    medium.sensitivity_dbm = static_cast<int>(get_int(*n, "sensitivity_dbm", -128, 127));
  }
  if (auto* n = table.get("default_signal_dbm")) {
    medium.default_signal_dbm = static_cast<int>(get_int(*n, "default_signal_dbm", -128, 127));
  }
  if (auto* n = table.get("defaults")) {
    const toml::table& defaults = require_table(*n, "[medium.defaults]");
    check_keys(defaults, "[medium.defaults]", kLinkParamKeys);
    medium.defaults = apply_overrides(LinkParams{}, parse_link_params(defaults));
    check_jitter(medium.defaults, defaults, "[medium.defaults]");
  }
}

LinkOverrides Parser::parse_link_params(const toml::table& table) const {
  LinkOverrides params;
  if (auto* n = table.get("loss")) params.loss_prob = get_probability(*n, "loss");
  if (auto* n = table.get("delay")) params.delay_us = get_duration(*n, "delay");
  if (auto* n = table.get("jitter")) params.jitter_us = get_duration(*n, "jitter");
  if (auto* n = table.get("reorder")) params.reorder = get_bool(*n, "reorder");
  if (auto* n = table.get("rate")) params.rate_bps = get_rate(*n, "rate");
  if (auto* n = table.get("burst")) {
    params.burst_bytes = static_cast<std::uint64_t>(get_int(*n, "burst", 1, 1 << 30));
  }
  if (auto* n = table.get("queue")) params.queue_us = get_duration(*n, "queue");
  if (auto* n = table.get("signal_dbm")) {
    params.signal_dbm = static_cast<int>(get_int(*n, "signal_dbm", -128, 127));
  }
  if (auto* n = table.get("burst_loss")) {
    const toml::table& ge = require_table(*n, "burst_loss");
    check_keys(ge, "burst_loss", {"enter", "leave", "loss_good", "loss_bad"});
    BurstLoss burst;
    auto* enter = ge.get("enter");
    auto* leave = ge.get("leave");
    if (enter == nullptr || leave == nullptr) {
      fail(*n, "burst_loss needs enter (P good -> bad) and leave (P bad -> good)");
    }
    burst.enter_prob = get_probability(*enter, "burst_loss.enter");
    burst.leave_prob = get_probability(*leave, "burst_loss.leave");
    if (auto* g = ge.get("loss_good"))
      burst.loss_good = get_probability(*g, "burst_loss.loss_good");
    if (auto* b = ge.get("loss_bad")) burst.loss_bad = get_probability(*b, "burst_loss.loss_bad");
    params.burst_loss = burst;
  }
  return params;
}

void Parser::check_jitter(const LinkParams& params, const toml::table& table,
                          const std::string& what) const {
  if (params.reorder || params.jitter_us <= params.delay_us) return;
  const toml::node* at = table.get("jitter");
  if (at == nullptr) at = table.get("delay");
  if (at == nullptr) at = &table;
  fail(*at, "jitter " + format_duration(params.jitter_us) + " is larger than delay " +
                format_duration(params.delay_us) + " on " + what +
                "; expected jitter <= delay, or reorder = true to let frames overtake each other");
}

void Parser::parse_nodes(const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables())
    fail(node, "node must be written as [[node]] tables");
  for (const toml::node& element : *array) {
    const toml::table& table = *element.as_table();
    check_keys(table, "[[node]]",
               {"name", "mac_prefix", "cid", "channel", "position", "memory_mb", "radios",
                "profile", "image", "provision"});
    NodeSpec spec;
    const toml::node* name = table.get("name");
    if (name == nullptr) fail(table, "[[node]] needs a name");
    spec.name = get_string(*name, "name");
    if (spec.name.empty()) fail(*name, "name must not be empty");
    if (topology_.find_node(spec.name)) fail(*name, "duplicate node '" + spec.name + "'");
    if (topology_.nodes.size() >= 255) fail(table, "too many nodes; at most 255 are supported");
    const auto index = static_cast<NodeId>(topology_.nodes.size());
    spec.mac_prefix = default_mac_prefix(index);
    if (auto* n = table.get("mac_prefix")) {
      const auto mac = vmesh::wire::MacAddress::parse(get_string(*n, "mac_prefix") + ":00");
      if (!mac)
        fail(*n,
             "mac_prefix must be five hex octets such as \"02:00:00:00:01\", got " + quoted(*n));
      std::copy_n(mac->bytes.begin(), spec.mac_prefix.size(), spec.mac_prefix.begin());
    }
    for (const NodeSpec& other : topology_.nodes) {
      if (same_identity(other.mac_prefix, spec.mac_prefix)) {
        fail(table.get("mac_prefix") ? *table.get("mac_prefix") : *name,
             "node '" + spec.name + "' has the same MAC prefix as '" + other.name + "'");
      }
    }
    if (auto* n = table.get("cid")) {
      spec.vsock_cid = static_cast<std::uint32_t>(get_int(*n, "cid", 3, 0xfffffffe));
      for (const NodeSpec& other : topology_.nodes) {
        if (other.vsock_cid == spec.vsock_cid)
          fail(*n, "cid already used by node '" + other.name + "'");
      }
    }
    if (auto* n = table.get("channel")) {
      spec.channel = static_cast<std::uint32_t>(get_int(*n, "channel", 1, 177));
      if (!channel_to_freq_mhz(*spec.channel))
        fail(*n, "channel must be 1-14 or 32-177, got " + quoted(*n));
    }
    if (auto* n = table.get("position")) spec.position = get_position(*n);
    if (auto* n = table.get("memory_mb"))
      spec.memory_mb = static_cast<std::uint32_t>(get_int(*n, "memory_mb", 64, 65536));
    if (auto* n = table.get("radios"))
      spec.radios = static_cast<std::uint32_t>(get_int(*n, "radios", 1, 16));
    if (auto* n = table.get("profile")) spec.profile = get_string(*n, "profile");
    if (auto* n = table.get("image")) spec.image = get_string(*n, "image");
    if (auto* n = table.get("provision")) {
      const toml::array* commands = n->as_array();
      if (commands == nullptr) fail(*n, "provision must be an array of command strings");
      for (const toml::node& command : *commands)
        spec.provision.push_back(get_string(command, "provision"));
    }
    topology_.nodes.push_back(std::move(spec));
  }
}

void Parser::parse_endpoints(const toml::table& table, NodeId& from, NodeId& to,
                             bool& symmetric) const {
  const toml::node* nodes = table.get("nodes");
  const toml::node* from_node = table.get("from");
  const toml::node* to_node = table.get("to");
  if (nodes != nullptr && (from_node != nullptr || to_node != nullptr)) {
    fail(*nodes,
         "use either nodes = [a, b] (both directions) or from/to (one direction), not both");
  }
  if (nodes != nullptr) {
    const toml::array* pair = nodes->as_array();
    if (pair == nullptr || pair->size() != 2)
      fail(*nodes, "nodes must be a pair of node names [a, b]");
    from = get_node(*pair->get(0), "nodes");
    to = get_node(*pair->get(1), "nodes");
    symmetric = true;
  } else {
    if (from_node == nullptr || to_node == nullptr) {
      fail(table, "expected nodes = [a, b] (both directions) or from and to (one direction)");
    }
    from = get_node(*from_node, "from");
    to = get_node(*to_node, "to");
    symmetric = false;
  }
  if (from == to) fail(nodes ? *nodes : *to_node, "a link needs two different nodes");
}

void Parser::parse_links(const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables())
    fail(node, "link must be written as [[link]] tables");
  std::vector<const toml::table*> tables;
  for (const toml::node& element : *array) {
    const toml::table& table = *element.as_table();
    check_keys(table, "[[link]]", {"nodes", "from", "to"}, kLinkParamKeys);
    LinkSpec spec;
    parse_endpoints(table, spec.from, spec.to, spec.symmetric);
    for (const LinkSpec& other : topology_.links) {
      const bool same = other.symmetric == spec.symmetric &&
                        ((other.from == spec.from && other.to == spec.to) ||
                         (spec.symmetric && other.from == spec.to && other.to == spec.from));
      if (same) {
        fail(table, "duplicate link " + topology_.nodes[spec.from].name +
                        (spec.symmetric ? " - " : " -> ") + topology_.nodes[spec.to].name);
      }
    }
    spec.params = parse_link_params(table);
    topology_.links.push_back(spec);
    tables.push_back(&table);
  }
  // Checked once all links are known: a one-way link may change the delay of a symmetric one.
  for (std::size_t i = 0; i < topology_.links.size(); ++i) {
    const LinkSpec& spec = topology_.links[i];
    for (int direction = 0; direction < (spec.symmetric ? 2 : 1); ++direction) {
      const NodeId a = direction == 0 ? spec.from : spec.to;
      const NodeId b = direction == 0 ? spec.to : spec.from;
      check_jitter(*listed_link_params(topology_, a, b), *tables[i],
                   topology_.nodes[a].name + " -> " + topology_.nodes[b].name);
    }
  }
}

}  // namespace

namespace {

struct ActionInfo {
  std::string_view name;
  EventAction action;
};

struct RunActionInfo {
  std::string_view name;
  RunActionKind kind;
};

constexpr std::array<RunActionInfo, 3> kRunActions{{
    {"node_kill", RunActionKind::node_kill},
    {"node_start", RunActionKind::node_start},
    {"relay_restart", RunActionKind::relay_restart},
}};

constexpr std::uint64_t kMaxRelayDownUs = 60'000'000;

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

void Parser::parse_events(const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables())
    fail(node, "event must be written as [[event]] tables");
  std::vector<SourcedRunAction> run_actions;
  for (const toml::node& element : *array) {
    const toml::table& table = *element.as_table();
    const toml::node* at = table.get("at");
    const toml::node* action = table.get("action");
    if (at == nullptr || action == nullptr)
      fail(table, "[[event]] needs at (a time such as \"30s\") and action");
    Event event;
    event.at_us = get_duration(*at, "at");
    const std::string name = get_string(*action, "action");
    const auto* run_action =
        std::find_if(kRunActions.begin(), kRunActions.end(),
                     [&](const RunActionInfo& candidate) { return candidate.name == name; });
    if (run_action != kRunActions.end()) {
      run_actions.push_back({parse_run_action(table, run_action->kind, event.at_us), &table});
      continue;
    }
    const auto* info =
        std::find_if(kActions.begin(), kActions.end(),
                     [&](const ActionInfo& candidate) { return candidate.name == name; });
    if (info == kActions.end()) {
      std::string names;
      for (const ActionInfo& candidate : kActions)
        names += (names.empty() ? "" : ", ") + std::string(candidate.name);
      for (const RunActionInfo& candidate : kRunActions)
        names += ", " + std::string(candidate.name);
      fail(*action, "unknown action '" + name + "'; expected one of: " + names);
    }
    event.action = info->action;
    const std::string where = "[[event]] " + name;
    switch (event.action) {
      case EventAction::link_down:
      case EventAction::link_up:
        check_keys(table, where, {"at", "action", "nodes", "from", "to"});
        parse_endpoints(table, event.from, event.to, event.symmetric);
        break;
      case EventAction::set_link:
      case EventAction::ramp: {
        const bool ramp = event.action == EventAction::ramp;
        if (ramp) {
          check_keys(table, where, {"at", "action", "nodes", "from", "to", "duration"}, kRampKeys);
        } else {
          check_keys(table, where, {"at", "action", "nodes", "from", "to"}, kLinkParamKeys);
        }
        parse_endpoints(table, event.from, event.to, event.symmetric);
        event.params = parse_link_params(table);
        if (event.params == LinkOverrides{}) {
          fail(table, name + " needs at least one link parameter (" +
                          join(ramp ? kRampKeys : kLinkParamKeys) + ")");
        }
        if (ramp) {
          const toml::node* duration = table.get("duration");
          if (duration == nullptr) fail(table, "ramp needs a duration such as \"10s\"");
          event.duration_us = get_duration(*duration, "duration");
        }
        break;
      }
      case EventAction::partition: {
        check_keys(table, where, {"at", "action", "groups"});
        const toml::node* groups = table.get("groups");
        const toml::array* outer = groups ? groups->as_array() : nullptr;
        if (outer == nullptr || outer->empty()) {
          fail(groups ? *groups : static_cast<const toml::node&>(table),
               "partition needs groups = [[\"a\", \"b\"], [\"c\"]]");
        }
        std::vector<bool> seen(topology_.nodes.size(), false);
        for (const toml::node& group_node : *outer) {
          const toml::array* group = group_node.as_array();
          if (group == nullptr)
            fail(group_node, "each partition group must be an array of node names");
          event.groups.emplace_back();
          for (const toml::node& member : *group) {
            const NodeId id = get_node(member, "groups");
            if (seen[id])
              fail(member, "node '" + topology_.nodes[id].name + "' is in more than one group");
            seen[id] = true;
            event.groups.back().push_back(id);
          }
        }
        break;
      }
      case EventAction::heal:
        check_keys(table, where, {"at", "action"});
        break;
      case EventAction::node_down:
      case EventAction::node_up:
      case EventAction::move: {
        const bool move = event.action == EventAction::move;
        if (move) {
          check_keys(table, where, {"at", "action", "node", "position"});
        } else {
          check_keys(table, where, {"at", "action", "node"});
        }
        const toml::node* target = table.get("node");
        if (target == nullptr) fail(table, name + " needs node = \"name\"");
        event.node = get_node(*target, "node");
        if (move) {
          const toml::node* position = table.get("position");
          if (position == nullptr) fail(table, "move needs position = [x, y] or [x, y, z]");
          if (topology_.medium.path_loss == PathLossModel::none) {
            fail(*position,
                 "move needs a path-loss model; expected [medium] path_loss = \"free_space\" or "
                 "\"log_distance\"");
          }
          event.position = get_position(*position);
        }
        break;
      }
    }
    topology_.events.push_back(std::move(event));
  }
  std::stable_sort(topology_.events.begin(), topology_.events.end(),
                   [](const Event& a, const Event& b) { return a.at_us < b.at_us; });
  check_run_actions(run_actions);
}

RunAction Parser::parse_run_action(const toml::table& table, RunActionKind kind,
                                   std::uint64_t at_us) const {
  RunAction action;
  action.at_us = at_us;
  action.kind = kind;
  const std::string where = std::string("[[event]] ") + to_string(kind);
  if (kind == RunActionKind::relay_restart) {
    check_keys(table, where, {"at", "action", "down_for"});
    if (const toml::node* down_for = table.get("down_for")) {
      action.down_for_us = get_duration(*down_for, "down_for");
      if (action.down_for_us > kMaxRelayDownUs)
        fail(*down_for, "down_for must be at most 60s (agents back off up to 1 s between tries)");
    }
    return action;
  }
  check_keys(table, where, {"at", "action", "node"});
  const toml::node* target = table.get("node");
  if (target == nullptr) fail(table, where.substr(10) + " needs node = \"name\"");
  action.node = get_node(*target, "node");
  return action;
}

// In time order, a node is killed only while it runs and started only once killed.
void Parser::check_run_actions(std::vector<SourcedRunAction>& actions) {
  std::stable_sort(actions.begin(), actions.end(),
                   [](const SourcedRunAction& a, const SourcedRunAction& b) {
                     return a.action.at_us < b.action.at_us;
                   });
  std::vector<bool> killed(topology_.nodes.size(), false);
  for (const auto& [action, table] : actions) {
    if (action.kind == RunActionKind::node_kill) {
      if (killed[action.node]) {
        fail(*table, "node_kill: '" + topology_.nodes[action.node].name +
                         "' is already killed at this time; node_start it first");
      }
      killed[action.node] = true;
    } else if (action.kind == RunActionKind::node_start) {
      if (!killed[action.node]) {
        fail(*table, "node_start: '" + topology_.nodes[action.node].name +
                         "' is running at this time; node_kill it earlier");
      }
      killed[action.node] = false;
    }
    topology_.run_actions.push_back(action);
  }
}

void Parser::parse_check_pair(const toml::table& table, Check& check, Keys allowed) const {
  check_keys(table, "check", allowed);
  const toml::node* from = table.get("from");
  const toml::node* to = table.get("to");
  if (from == nullptr || to == nullptr) fail(table, "check needs from and to");
  check.from = get_node(*from, "from");
  check.to = get_node(*to, "to");
  if (check.from == check.to) fail(*to, "from and to must be different nodes");
}

void Parser::parse_checks(const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables())
    fail(node, "check must be written as [[check]] tables");
  for (const toml::node& element : *array) {
    const toml::table& table = *element.as_table();
    check_keys(table, "[[check]]", {"ping", "neighbors", "route", "iperf", "deadline", "after"});
    Check check;
    int kinds = 0;
    if (auto* n = table.get("ping")) {
      ++kinds;
      check.kind = CheckKind::ping;
      const toml::table& ping = require_table(*n, "ping");
      parse_check_pair(ping, check,
                       {"from", "to", "count", "max_loss", "min_loss", "min_rtt_ms", "max_rtt_ms"});
      if (auto* c = ping.get("count"))
        check.count = static_cast<std::uint32_t>(get_int(*c, "count", 1, 100000));
      if (auto* l = ping.get("max_loss")) check.max_loss_prob = get_probability(*l, "max_loss");
      if (auto* l = ping.get("min_loss")) {
        check.min_loss_prob = get_probability(*l, "min_loss");
        if (ping.get("max_loss") == nullptr) check.max_loss_prob = 1.0;
        if (check.min_loss_prob > check.max_loss_prob)
          fail(*l, "min_loss must not exceed max_loss");
      }
      for (const char* key : {"min_rtt_ms", "max_rtt_ms"}) {
        if (auto* r = ping.get(key)) {
          const double ms = get_number(*r, key);
          if (!(ms >= 0.0))
            fail(*r, std::string(key) + " must be a non-negative number of milliseconds");
          (std::string_view(key) == "min_rtt_ms" ? check.min_rtt_ms : check.max_rtt_ms) = ms;
        }
      }
    }
    if (auto* n = table.get("neighbors")) {
      ++kinds;
      check.kind = CheckKind::neighbors;
      check.neighbors = get_string(*n, "neighbors");
      if (check.neighbors != "topology")
        fail(*n, "neighbors must be \"topology\", got " + quoted(*n));
    }
    if (auto* n = table.get("route")) {
      ++kinds;
      check.kind = CheckKind::route;
      const toml::table& route = require_table(*n, "route");
      parse_check_pair(route, check, {"from", "to", "via"});
      const toml::node* via = route.get("via");
      if (via == nullptr) fail(route, "route needs via = \"node\"");
      check.via = get_node(*via, "via");
    }
    if (auto* n = table.get("iperf")) {
      ++kinds;
      check.kind = CheckKind::iperf;
      const toml::table& iperf = require_table(*n, "iperf");
      parse_check_pair(iperf, check, {"from", "to", "min_mbps"});
      if (auto* m = iperf.get("min_mbps")) {
        check.min_mbps = get_number(*m, "min_mbps");
        if (!(check.min_mbps >= 0.0)) fail(*m, "min_mbps must be a non-negative number");
      }
    }
    if (kinds != 1)
      fail(table, "each [[check]] needs exactly one of: ping, neighbors, route, iperf");
    if (auto* n = table.get("deadline")) check.deadline_us = get_duration(*n, "deadline");
    if (auto* n = table.get("after")) check.after_us = get_duration(*n, "after");
    topology_.checks.push_back(std::move(check));
  }
}

Topology Parser::parse(std::string_view text) {
  toml::table root;
  try {
    root = toml::parse(text, source_);
  } catch (const toml::parse_error& error) {
    fail(error.source(), std::string(error.description()));
  }
  topology_.source_name = source_;
  check_keys(root, "the top level", {"meta", "medium", "node", "link", "event", "check"});
  if (auto* n = root.get("meta")) parse_meta(require_table(*n, "[meta]"));
  if (auto* n = root.get("medium")) parse_medium(require_table(*n, "[medium]"));
  const toml::node* nodes = root.get("node");
  if (nodes == nullptr) fail(root, "a topology needs at least one [[node]]");
  parse_nodes(*nodes);
  if (auto* n = root.get("link")) parse_links(*n);
  if (auto* n = root.get("event")) parse_events(*n);
  if (auto* n = root.get("check")) parse_checks(*n);
  return std::move(topology_);
}

}  // namespace

Topology parse_topology(std::string_view toml_text, std::string_view source_name) {
  return Parser(source_name).parse(toml_text);
}

Topology load_topology_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TopologyError(path.string(), 0, 0, "cannot open the topology file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw TopologyError(path.string(), 0, 0, "cannot read the topology file");
  return parse_topology(text.str(), path.string());
}

}  // namespace vmesh::medium
