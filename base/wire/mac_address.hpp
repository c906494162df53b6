// A 6-byte IEEE 802 address with parsing and formatting ("02:00:00:00:01:00").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmesh::wire {

struct MacAddress {
  std::array<std::uint8_t, 6> bytes{};

  friend bool operator==(const MacAddress&, const MacAddress&) = default;
  friend auto operator<=>(const MacAddress&, const MacAddress&) = default;

  // "aa:bb:cc:dd:ee:ff" in lower case.
  std::string to_string() const;
  // Accepts six hex pairs separated by ':' or '-'; nullopt otherwise.
  static std::optional<MacAddress> parse(std::string_view text);
};

}  // namespace vmesh::wire
