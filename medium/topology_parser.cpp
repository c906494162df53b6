// The only medium translation unit that sees a whole topology file: TOML text -> Topology,
// with every validation error located at file:line:column. The sections are read in file
// order of the format: [meta], [medium], [[node]], [[link]], [[event]] (event_reader.cpp).
#include "medium/topology_parser.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "base/wire/mac_address.hpp"
#include "medium/event_reader.hpp"
#include "medium/link_reader.hpp"
#include "medium/toml_reader.hpp"

namespace vmesh::medium {

namespace {

class Parser {
 public:
  Parser(std::string_view source_name, const ForeignKeys& foreign)
      : reader_(std::string(source_name)), foreign_(foreign) {}

  Topology parse(std::string_view text);

 private:
  void parse_meta(const toml::table& table);
  void parse_medium(const toml::table& table);
  void parse_nodes(const toml::node& node);
  void parse_links(const toml::node& node);

  TomlReader reader_;
  const ForeignKeys& foreign_;
  Topology topology_;
};

void Parser::parse_meta(const toml::table& table) {
  reader_.check_keys(table, "[meta]", {"name", "description", "seed", "timeline_start"});
  if (auto* n = table.get("name")) topology_.meta.name = reader_.get_string(*n, "name");
  if (auto* n = table.get("description"))
    topology_.meta.description = reader_.get_string(*n, "description");
  if (auto* n = table.get("seed")) {
    topology_.meta.seed = static_cast<std::uint64_t>(
        reader_.get_int(*n, "seed", 0, std::numeric_limits<std::int64_t>::max()));
  }
  if (auto* n = table.get("timeline_start")) {
    const std::string start = reader_.get_string(*n, "timeline_start");
    if (start == "ready") {
      topology_.meta.timeline_start = TimelineStart::ready;
    } else if (start != "run") {
      reader_.fail(*n,
                   "timeline_start must be \"run\" (t = 0 when the run starts) or "
                   "\"ready\" (t = 0 when every node is ready), not \"" +
                       start + "\"");
    }
  }
}

void Parser::parse_medium(const toml::table& table) {
  reader_.check_keys(table, "[medium]",
                     {"default", "channel", "path_loss", "path_loss_exponent", "reference_distance",
                      "sensitivity_dbm", "default_signal_dbm", "defaults", "acks"},
                     foreign_.medium_keys);
  MediumSpec& medium = topology_.medium;
  if (auto* n = table.get("acks")) {
    const std::string mode = reader_.get_string(*n, "acks");
    if (mode == "always") {
      medium.acks = AckMode::always;
    } else if (mode == "medium") {
      medium.acks = AckMode::medium;
    } else {
      reader_.fail(*n,
                   "acks must be \"always\" (every frame acknowledged by its sender, as vwifi) or "
                   "\"medium\" (unicast frames acknowledged only when the medium delivered them), "
                   "got " +
                       quoted(*n));
    }
  }
  if (auto* n = table.get("default")) {
    const std::string value = reader_.get_string(*n, "default");
    if (value == "none") {
      medium.default_reach = DefaultReach::none;
    } else if (value == "all") {
      medium.default_reach = DefaultReach::all;
    } else {
      reader_.fail(*n, "default must be \"none\" or \"all\", got " + quoted(*n));
    }
  }
  if (auto* n = table.get("channel")) {
    const auto channel = static_cast<std::uint32_t>(reader_.get_int(*n, "channel", 1, 177));
    if (!channel_to_freq_mhz(channel))
      reader_.fail(*n, "channel must be 1-14 or 32-177, got " + quoted(*n));
    medium.channel = channel;
  }
  if (auto* n = table.get("path_loss")) {
    const std::string value = reader_.get_string(*n, "path_loss");
    if (value == "none") {
      medium.path_loss = PathLossModel::none;
    } else if (value == "free_space") {
      medium.path_loss = PathLossModel::free_space;
    } else if (value == "log_distance") {
      medium.path_loss = PathLossModel::log_distance;
    } else {
      reader_.fail(
          *n, "path_loss must be \"none\", \"free_space\" or \"log_distance\", got " + quoted(*n));
    }
  }
  if (auto* n = table.get("path_loss_exponent")) {
    medium.path_loss_exponent = reader_.get_number(*n, "path_loss_exponent");
    if (!(medium.path_loss_exponent > 0.0)) reader_.fail(*n, "path_loss_exponent must be positive");
  }
  if (auto* n = table.get("reference_distance")) {
    medium.reference_distance_m = reader_.get_number(*n, "reference_distance");
    if (!(medium.reference_distance_m > 0.0))
      reader_.fail(*n, "reference_distance must be positive (metres)");
  }
  if (auto* n = table.get("sensitivity_dbm")) {
    medium.sensitivity_dbm = static_cast<int>(reader_.get_int(*n, "sensitivity_dbm", -128, 127));
  }
  if (auto* n = table.get("default_signal_dbm")) {
    medium.default_signal_dbm =
        static_cast<int>(reader_.get_int(*n, "default_signal_dbm", -128, 127));
  }
  if (auto* n = table.get("defaults")) {
    const toml::table& defaults = reader_.require_table(*n, "[medium.defaults]");
    reader_.check_keys(defaults, "[medium.defaults]", kLinkParamKeys);
    medium.defaults = apply_overrides(LinkParams{}, read_link_params(reader_, defaults));
    check_jitter(reader_, medium.defaults, defaults, "[medium.defaults]");
  }
}

void Parser::parse_nodes(const toml::node& node) {
  for (const toml::node& element : reader_.require_array_of_tables(node, "node")) {
    const toml::table& table = *element.as_table();
    reader_.check_keys(table, "[[node]]", {"name", "mac_prefix", "cid", "channel", "position"},
                       foreign_.node_keys);
    NodeSpec spec;
    const toml::node* name = table.get("name");
    if (name == nullptr) reader_.fail(table, "[[node]] needs a name");
    spec.name = reader_.get_string(*name, "name");
    if (spec.name.empty()) reader_.fail(*name, "name must not be empty");
    if (topology_.find_node(spec.name)) reader_.fail(*name, "duplicate node '" + spec.name + "'");
    if (topology_.nodes.size() >= 255)
      reader_.fail(table, "too many nodes; at most 255 are supported");
    const auto index = static_cast<NodeId>(topology_.nodes.size());
    spec.mac_prefix = default_mac_prefix(index);
    if (auto* n = table.get("mac_prefix")) {
      const auto mac = vmesh::wire::MacAddress::parse(reader_.get_string(*n, "mac_prefix") + ":00");
      if (!mac)
        reader_.fail(
            *n, "mac_prefix must be five hex octets such as \"02:00:00:00:01\", got " + quoted(*n));
      std::copy_n(mac->bytes.begin(), spec.mac_prefix.size(), spec.mac_prefix.begin());
    }
    for (const NodeSpec& other : topology_.nodes) {
      if (same_identity(other.mac_prefix, spec.mac_prefix)) {
        reader_.fail(table.get("mac_prefix") ? *table.get("mac_prefix") : *name,
                     "node '" + spec.name + "' has the same MAC prefix as '" + other.name + "'");
      }
    }
    if (auto* n = table.get("cid")) {
      spec.vsock_cid = static_cast<std::uint32_t>(reader_.get_int(*n, "cid", 3, 0xfffffffe));
      for (const NodeSpec& other : topology_.nodes) {
        if (other.vsock_cid == spec.vsock_cid)
          reader_.fail(*n, "cid already used by node '" + other.name + "'");
      }
    }
    if (auto* n = table.get("channel")) {
      spec.channel = static_cast<std::uint32_t>(reader_.get_int(*n, "channel", 1, 177));
      if (!channel_to_freq_mhz(*spec.channel))
        reader_.fail(*n, "channel must be 1-14 or 32-177, got " + quoted(*n));
    }
    if (auto* n = table.get("position")) spec.position = reader_.get_position(*n);
    topology_.nodes.push_back(std::move(spec));
  }
}

void Parser::parse_links(const toml::node& node) {
  std::vector<const toml::table*> tables;
  for (const toml::node& element : reader_.require_array_of_tables(node, "link")) {
    const toml::table& table = *element.as_table();
    reader_.check_keys(table, "[[link]]", {"nodes", "from", "to"}, kLinkParamKeys);
    LinkSpec spec;
    read_endpoints(reader_, table, topology_, spec.from, spec.to, spec.symmetric);
    for (const LinkSpec& other : topology_.links) {
      const bool same = other.symmetric == spec.symmetric &&
                        ((other.from == spec.from && other.to == spec.to) ||
                         (spec.symmetric && other.from == spec.to && other.to == spec.from));
      if (same) {
        reader_.fail(table, "duplicate link " + topology_.nodes[spec.from].name +
                                (spec.symmetric ? " - " : " -> ") + topology_.nodes[spec.to].name);
      }
    }
    spec.params = read_link_params(reader_, table);
    topology_.links.push_back(spec);
    tables.push_back(&table);
  }
  // Checked once all links are known: a one-way link may change the delay of a symmetric one.
  for (std::size_t i = 0; i < topology_.links.size(); ++i) {
    const LinkSpec& spec = topology_.links[i];
    for (int direction = 0; direction < (spec.symmetric ? 2 : 1); ++direction) {
      const NodeId a = direction == 0 ? spec.from : spec.to;
      const NodeId b = direction == 0 ? spec.to : spec.from;
      check_jitter(reader_, *listed_link_params(topology_, a, b), *tables[i],
                   topology_.nodes[a].name + " -> " + topology_.nodes[b].name);
    }
  }
}

Topology Parser::parse(std::string_view text) {
  const toml::table root = reader_.parse(text);
  topology_.source_name = reader_.source();
  reader_.check_keys(root, "the top level", {"meta", "medium", "node", "link", "event"},
                     foreign_.tables);
  if (auto* n = root.get("meta")) parse_meta(reader_.require_table(*n, "[meta]"));
  if (auto* n = root.get("medium")) parse_medium(reader_.require_table(*n, "[medium]"));
  const toml::node* nodes = root.get("node");
  if (nodes == nullptr) reader_.fail(root, "a topology needs at least one [[node]]");
  parse_nodes(*nodes);
  if (auto* n = root.get("link")) parse_links(*n);
  if (auto* n = root.get("event")) read_events(reader_, *n, foreign_, topology_);
  return std::move(topology_);
}

}  // namespace

const ForeignKeys& scenario_keys() {
  static const ForeignKeys keys{{"check", "image"},
                                {"memory_mb", "radios", "profile", "image", "provision", "ssid",
                                 "psk", "security", "ap", "gateway"},
                                {"node_kill", "node_start", "relay_restart"},
                                {"transport"}};
  return keys;
}

Topology parse_topology(std::string_view toml_text, std::string_view source_name,
                        const ForeignKeys& foreign) {
  return Parser(source_name, foreign).parse(toml_text);
}

std::string read_topology_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TopologyError(path.string(), 0, 0, "cannot open the topology file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw TopologyError(path.string(), 0, 0, "cannot read the topology file");
  return text.str();
}

Topology load_topology_file(const std::filesystem::path& path, const ForeignKeys& foreign) {
  return parse_topology(read_topology_text(path), path.string(), foreign);
}

}  // namespace vmesh::medium
