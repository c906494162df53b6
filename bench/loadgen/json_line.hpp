// Writes one flat JSON object on one line, fields in the order they were added.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vmesh::bench {

class JsonLine {
 public:
  // Each add() appends `"key":value`. Keys are written as given (plain ASCII expected);
  // string values are escaped. Non-finite doubles become null.
  JsonLine& add(std::string_view key, std::uint64_t value);
  JsonLine& add(std::string_view key, std::int64_t value);
  JsonLine& add(std::string_view key, std::uint32_t value) {
    return add(key, std::uint64_t{value});
  }
  JsonLine& add(std::string_view key, double value, int decimals = 3);
  JsonLine& add(std::string_view key, std::string_view value);

  // The finished object, e.g. {"a":1,"b":"x"} (no trailing newline).
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view name);
  std::string body_;
};

// Escapes a string for inclusion between JSON double quotes.
std::string json_escape(std::string_view text);

}  // namespace vmesh::bench
