#include "medium/units.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <utility>

namespace vmesh::medium {

namespace {

struct Unit {
  std::string_view name;
  double scale;
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits "<sign?><digits>[.<digits>]<unit>"; the number part is parsed by hand so that
// locale and exotic forms ("1e3", "inf") are rejected.
template <std::size_t N>
DurationResult parse_with_units(std::string_view text, const std::array<Unit, N>& units) {
  DurationResult result;
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  double value = 0.0;
  std::size_t digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
    value = value * 10.0 + (text[i] - '0');
    ++i;
    ++digits;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    double scale = 0.1;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
      value += (text[i] - '0') * scale;
      scale /= 10.0;
      ++i;
      ++digits;
    }
  }
  if (digits == 0) return result;
  const std::string unit = lower(text.substr(i));
  double scale = -1.0;
  if (unit.empty() && value == 0.0) scale = 1.0;
  for (const Unit& candidate : units) {
    if (unit == candidate.name) scale = candidate.scale;
  }
  if (scale < 0.0) return result;
  if (negative && value != 0.0) {
    result.error = UnitError::negative;
    return result;
  }
  const double scaled = std::round(value * scale);
  if (scaled >= 1.8e19) {
    result.error = UnitError::too_large;
    return result;
  }
  result.value_us = static_cast<std::uint64_t>(scaled);
  return result;
}

constexpr std::array<Unit, 4> kDurationUnits{{
    {"us", 1.0},
    {"ms", 1e3},
    {"s", 1e6},
    {"min", 60e6},
}};

constexpr std::array<Unit, 8> kRateUnits{{
    {"bps", 1.0},
    {"kbps", 1e3},
    {"mbps", 1e6},
    {"gbps", 1e9},
    {"bit", 1.0},
    {"kbit", 1e3},
    {"mbit", 1e6},
    {"gbit", 1e9},
}};

std::string format_scaled(std::uint64_t value,
                          const std::array<std::pair<std::uint64_t, const char*>, 4>& units) {
  if (value == 0) return "0";
  for (const auto& [scale, name] : units) {
    if (value % scale == 0) return std::to_string(value / scale) + name;
  }
  return std::to_string(value) + units.back().second;
}

}  // namespace

DurationResult parse_duration(std::string_view text) {
  return parse_with_units(text, kDurationUnits);
}

DurationResult parse_rate_bps(std::string_view text) {
  return parse_with_units(text, kRateUnits);
}

std::string format_duration(std::uint64_t us) {
  return format_scaled(us, {{{60'000'000, "min"}, {1'000'000, "s"}, {1'000, "ms"}, {1, "us"}}});
}

std::string format_rate(std::uint64_t bps) {
  return format_scaled(
      bps, {{{1'000'000'000, "Gbps"}, {1'000'000, "Mbps"}, {1'000, "kbps"}, {1, "bps"}}});
}

}  // namespace vmesh::medium
