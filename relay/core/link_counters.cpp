#include "relay/core/link_counters.hpp"

#include <fmt/format.h>

namespace vmesh::relay {

const char* to_string(DropReason reason) {
  switch (reason) {
    case DropReason::loss:
      return "loss";
    case DropReason::deaf:
      return "deaf";
    case DropReason::rate:
      return "rate";
    case DropReason::node_down:
      return "node_down";
    case DropReason::channel:
      return "channel";
    case DropReason::queue:
      return "queue";
    case DropReason::unbound:
      return "unbound";
    case DropReason::count:
      break;
  }
  return "?";
}

std::string LinkCounters::to_json(const medium::Topology& topology) const {
  std::string out = "{\"links\":[";
  bool first = true;
  for (std::size_t from = 0; from < node_count_; ++from) {
    for (std::size_t to = 0; to < node_count_; ++to) {
      const LinkCounter& c = counters_[from * node_count_ + to];
      if (from == to || (c.sent == 0 && c.dropped[static_cast<int>(DropReason::deaf)] == 0))
        continue;
      out += first ? "" : ",";
      first = false;
      out += fmt::format(
          R"({{"from":"{}","to":"{}","sent":{},"delivered":{},"mean_delay_us":{},"dropped":{{)",
          topology.nodes[from].name, topology.nodes[to].name, c.sent, c.delivered,
          c.delivered ? c.delay_us_total / c.delivered : 0);
      for (int r = 0; r < static_cast<int>(DropReason::count); ++r) {
        out += fmt::format(R"({}"{}":{})", r ? "," : "", to_string(static_cast<DropReason>(r)),
                           c.dropped[r]);
      }
      out += "}";
      if (c.acked + c.unacked > 0) {
        out += fmt::format(R"(,"tx_status":{{"acked":{},"unacked":{},"retries":{}}})", c.acked,
                           c.unacked, c.retries);
      }
      out += "}";
    }
  }
  return out + "]}";
}

LinkCounter LinkCounters::total() const {
  LinkCounter sum;
  for (const LinkCounter& c : counters_) {
    sum.sent += c.sent;
    sum.delivered += c.delivered;
    for (int r = 0; r < static_cast<int>(DropReason::count); ++r) sum.dropped[r] += c.dropped[r];
    sum.delay_us_total += c.delay_us_total;
    sum.bytes_sent += c.bytes_sent;
    sum.bytes_delivered += c.bytes_delivered;
    sum.acked += c.acked;
    sum.unacked += c.unacked;
    sum.retries += c.retries;
  }
  return sum;
}

}  // namespace vmesh::relay
