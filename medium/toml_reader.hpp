// Typed reads of TOML values with every error located at file:line:column. The topology
// file's parsers (the medium's sections here, the launcher's scenario sections above) share
// it so that one file's errors all read the same way.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "medium/topology.hpp"
#include "medium/topology_error.hpp"

namespace vmesh::medium {

using Keys = std::initializer_list<std::string_view>;

// "a, b, c". Does not throw other than std::bad_alloc.
std::string join_keys(Keys keys);

// A value as the user wrote it, for messages: strings in double quotes, numbers in their
// shortest exact form, arrays element by element.
std::string quoted(const toml::node& node);

class TomlReader {
 public:
  explicit TomlReader(std::string source_name) : source_(std::move(source_name)) {}

  const std::string& source() const noexcept { return source_; }

  // Parses TOML text; throws TopologyError on a syntax error.
  toml::table parse(std::string_view text) const;

  // Throws TopologyError at `where` with `message`.
  [[noreturn]] void fail(const toml::source_region& where, const std::string& message) const;
  [[noreturn]] void fail(const toml::node& node, const std::string& message) const {
    fail(node.source(), message);
  }

  // Rejects keys of `table` not in `allowed` (or `extra`), at the key's position.
  void check_keys(const toml::table& table, std::string_view where, Keys allowed,
                  Keys extra = {}) const;
  // The same with the extra keys as a list (the keys another layer owns).
  void check_keys(const toml::table& table, std::string_view where, Keys allowed,
                  const std::vector<std::string_view>& extra) const;
  const toml::table& require_table(const toml::node& node, const std::string& what) const;
  // The tables of [[what]]; throws unless `node` is an array of tables.
  const toml::array& require_array_of_tables(const toml::node& node, const std::string& what) const;

  // Each throws TopologyError naming `key` and the expected form.
  std::string get_string(const toml::node& node, const std::string& key) const;
  bool get_bool(const toml::node& node, const std::string& key) const;
  std::int64_t get_int(const toml::node& node, const std::string& key, std::int64_t min,
                       std::int64_t max) const;
  double get_number(const toml::node& node, const std::string& key) const;
  double get_probability(const toml::node& node, const std::string& key) const;
  std::uint64_t get_duration(const toml::node& node, const std::string& key) const;
  std::uint64_t get_rate(const toml::node& node, const std::string& key) const;
  Position get_position(const toml::node& node) const;
  // The node of `topology` named by the string `node`; throws listing the known names.
  NodeId get_node(const toml::node& node, const std::string& key, const Topology& topology) const;

 private:
  std::string source_;
};

}  // namespace vmesh::medium
