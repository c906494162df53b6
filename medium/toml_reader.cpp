#include "medium/toml_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "medium/units.hpp"

namespace vmesh::medium {

std::string join_keys(Keys keys) {
  std::string out;
  for (std::string_view key : keys) {
    if (!out.empty()) out += ", ";
    out += key;
  }
  return out;
}

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

toml::table TomlReader::parse(std::string_view text) const {
  try {
    return toml::parse(text, source_);
  } catch (const toml::parse_error& error) {
    fail(error.source(), std::string(error.description()));
  }
}

void TomlReader::fail(const toml::source_region& where, const std::string& message) const {
  throw TopologyError(source_, std::max<std::uint32_t>(where.begin.line, 1),
                      std::max<std::uint32_t>(where.begin.column, 1), message);
}

void TomlReader::check_keys(const toml::table& table, std::string_view where, Keys allowed,
                            Keys extra) const {
  check_keys(table, where, allowed, std::vector<std::string_view>(extra.begin(), extra.end()));
}

void TomlReader::check_keys(const toml::table& table, std::string_view where, Keys allowed,
                            const std::vector<std::string_view>& extra) const {
  for (auto&& [key, value] : table) {
    // A named copy: lambdas may not capture structured bindings before C++20 compilers
    // caught up (clang 14, used for the fuzz build).
    const std::string_view name = key.str();
    const auto matches = [name](std::string_view k) { return k == name; };
    if (std::any_of(allowed.begin(), allowed.end(), matches) ||
        std::any_of(extra.begin(), extra.end(), matches)) {
      continue;
    }
    std::string expected = join_keys(allowed);
    for (std::string_view k : extra) expected += ", " + std::string(k);
    fail(key.source(), "unknown key '" + std::string(key.str()) + "' in " + std::string(where) +
                           "; expected one of: " + expected);
  }
}

const toml::table& TomlReader::require_table(const toml::node& node,
                                             const std::string& what) const {
  if (!node.is_table()) fail(node, what + " must be a table");
  return *node.as_table();
}

const toml::array& TomlReader::require_array_of_tables(const toml::node& node,
                                                       const std::string& what) const {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables())
    fail(node, what + " must be written as [[" + what + "]] tables");
  return *array;
}

std::string TomlReader::get_string(const toml::node& node, const std::string& key) const {
  if (!node.is_string()) fail(node, key + " must be a string, got " + quoted(node));
  return node.as_string()->get();
}

bool TomlReader::get_bool(const toml::node& node, const std::string& key) const {
  if (!node.is_boolean()) fail(node, key + " must be true or false, got " + quoted(node));
  return node.as_boolean()->get();
}

std::int64_t TomlReader::get_int(const toml::node& node, const std::string& key, std::int64_t min,
                                 std::int64_t max) const {
  if (!node.is_integer() || node.as_integer()->get() < min || node.as_integer()->get() > max) {
    fail(node, key + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                   "], got " + quoted(node));
  }
  return node.as_integer()->get();
}

double TomlReader::get_number(const toml::node& node, const std::string& key) const {
  if (node.is_integer()) return static_cast<double>(node.as_integer()->get());
  if (node.is_floating_point()) return node.as_floating_point()->get();
  fail(node, key + " must be a number, got " + quoted(node));
}

double TomlReader::get_probability(const toml::node& node, const std::string& key) const {
  const bool numeric = node.is_integer() || node.is_floating_point();
  const double value = numeric ? get_number(node, key) : -1.0;
  if (!numeric || !(value >= 0.0 && value <= 1.0)) {
    fail(node, key + " must be a probability in [0, 1], got " + quoted(node));
  }
  return value;
}

std::uint64_t TomlReader::get_duration(const toml::node& node, const std::string& key) const {
  const std::string expected =
      " must be a non-negative duration such as \"250us\", \"2ms\", \"1.5s\" or \"2min\", got ";
  if (!node.is_string()) fail(node, key + expected + quoted(node));
  const DurationResult result = parse_duration(node.as_string()->get());
  if (!result.value_us) fail(node, key + expected + quoted(node));
  return *result.value_us;
}

std::uint64_t TomlReader::get_rate(const toml::node& node, const std::string& key) const {
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

Position TomlReader::get_position(const toml::node& node) const {
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

NodeId TomlReader::get_node(const toml::node& node, const std::string& key,
                            const Topology& topology) const {
  const std::string name = get_string(node, key);
  if (auto id = topology.find_node(name)) return *id;
  std::string known;
  for (const NodeSpec& spec : topology.nodes) known += (known.empty() ? "" : ", ") + spec.name;
  fail(node, "unknown node '" + name + "' in " + key + "; expected one of: " + known);
}

}  // namespace vmesh::medium
