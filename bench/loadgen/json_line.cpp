#include "bench/loadgen/json_line.hpp"

#include <fmt/format.h>

#include <cmath>

namespace vmesh::bench {

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  return out;
}

void JsonLine::key(std::string_view name) {
  if (!body_.empty()) body_ += ',';
  body_ += '"';
  body_ += json_escape(name);
  body_ += "\":";
}

JsonLine& JsonLine::add(std::string_view name, std::uint64_t value) {
  key(name);
  body_ += fmt::format("{}", value);
  return *this;
}

JsonLine& JsonLine::add(std::string_view name, std::int64_t value) {
  key(name);
  body_ += fmt::format("{}", value);
  return *this;
}

JsonLine& JsonLine::add(std::string_view name, double value, int decimals) {
  key(name);
  if (!std::isfinite(value)) {
    body_ += "null";
  } else {
    body_ += fmt::format("{:.{}f}", value, decimals);
  }
  return *this;
}

JsonLine& JsonLine::add(std::string_view name, std::string_view value) {
  key(name);
  body_ += '"';
  body_ += json_escape(value);
  body_ += '"';
  return *this;
}

}  // namespace vmesh::bench
