// Text forms of durations ("250us", "2ms", "1.5s", "2min") and bit rates ("10Mbps").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmesh::medium {

enum class UnitError : std::uint8_t { malformed, negative, too_large };

struct DurationResult {
  std::optional<std::uint64_t> value_us;
  UnitError error = UnitError::malformed;  // meaningful when value_us is empty
};

// Parses "<number><unit>" with unit us, ms, s or min (a decimal fraction is allowed;
// the result is rounded to whole microseconds). "0" alone is zero. Does not throw.
DurationResult parse_duration(std::string_view text);

// Parses "<number><unit>" with unit bps, kbps, mbps, gbps (case-insensitive, bits per
// second, decimal prefixes) or the tc spellings bit, kbit, mbit, gbit. Does not throw.
DurationResult parse_rate_bps(std::string_view text);

// Shortest exact form: "0", "250us", "2ms", "1500us", "30s", "2min".
std::string format_duration(std::uint64_t us);

// "10Mbps", "1.5Mbps" style, for summaries.
std::string format_rate(std::uint64_t bps);

}  // namespace vmesh::medium
