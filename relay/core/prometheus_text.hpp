// The relay's counters in the Prometheus text exposition format (version 0.0.4), for
// GET /metrics on --metrics-listen. Metric names and labels in docs/relay.md.
#pragma once

#include <string>

#include "relay/core/stats_snapshot.hpp"

namespace vmesh::relay {

// Every family with # HELP and # TYPE, one sample per line. Does not throw except bad_alloc.
std::string prometheus_text(const StatsSnapshot& snapshot);

// `text` escaped for a label value (backslash, double quote, newline).
std::string prometheus_label_value(const std::string& text);

}  // namespace vmesh::relay
