// One line of the periodic stats file (vmesh-relay --stats-jsonl): the counters of a
// snapshot as one JSON object, plus the rates over the time since the previous line.
// Schema in docs/relay.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "relay/core/stats_snapshot.hpp"

namespace vmesh::relay {

class StatsJsonl {
 public:
  // The JSON object for `now`, without the newline. Rates compare with the snapshot given
  // to the previous call (the first line compares with zero counters at relay_ms 0).
  // Does not throw except bad_alloc.
  std::string line(const StatsSnapshot& now);

 private:
  struct Previous {
    std::uint64_t sent = 0;
    std::uint64_t delivered = 0;
    std::uint64_t delay_us_total = 0;
  };
  std::uint64_t previous_relay_ms_ = 0;
  std::map<std::pair<std::string, std::string>, Previous> previous_;
};

// `text` as a JSON string literal, quotes included.
std::string json_string(const std::string& text);

}  // namespace vmesh::relay
