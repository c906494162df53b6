#include "relay/core/stats_jsonl.hpp"

#include <fmt/format.h>

namespace vmesh::relay {

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string StatsJsonl::line(const StatsSnapshot& now) {
  const std::uint64_t interval_ms =
      now.relay_ms > previous_relay_ms_ ? now.relay_ms - previous_relay_ms_ : 0;
  const double interval_s = static_cast<double>(interval_ms) / 1000.0;
  std::string out =
      fmt::format(R"({{"relay_ms":{},"unix_ms":{},"interval_ms":{},"medium":"{}")", now.relay_ms,
                  now.unix_ms, interval_ms, now.topology ? "topology" : "vwifi");

  out += R"(,"links":[)";
  bool first = true;
  for (const LinkSample& link : now.links) {
    const LinkCounter& c = link.counter;
    Previous& before = previous_[{link.from, link.to}];
    const std::uint64_t sent = c.sent - before.sent;
    const std::uint64_t delivered = c.delivered - before.delivered;
    const std::uint64_t delay_us = c.delay_us_total - before.delay_us_total;
    before = {c.sent, c.delivered, c.delay_us_total};

    out += first ? "{" : ",{";
    first = false;
    out += fmt::format(
        R"("from":{},"to":{},"sent":{},"delivered":{},"bytes_sent":{},"bytes_delivered":{},)"
        R"("mean_delay_us":{},"delay_queue_frames":{},"dropped":{{)",
        json_string(link.from), json_string(link.to), c.sent, c.delivered, c.bytes_sent,
        c.bytes_delivered, c.delivered ? c.delay_us_total / c.delivered : 0,
        link.delay_queue_frames);
    for (int r = 0; r < static_cast<int>(DropReason::count); ++r) {
      out += fmt::format(R"({}"{}":{})", r ? "," : "", to_string(static_cast<DropReason>(r)),
                         c.dropped[r]);
    }
    // Rates over this interval; null where they are undefined (no time, nothing sent).
    const auto per_s = [&](std::uint64_t count) {
      return interval_ms ? fmt::format("{:.3f}", static_cast<double>(count) / interval_s)
                         : std::string("null");
    };
    out += fmt::format(
        R"(}},"interval":{{"sent_per_s":{},"delivered_per_s":{},"delivery_ratio":{},)"
        R"("mean_delay_us":{}}}}})",
        per_s(sent), per_s(delivered),
        sent ? fmt::format("{:.4f}", static_cast<double>(delivered) / static_cast<double>(sent))
             : "null",
        delivered ? std::to_string(delay_us / delivered) : "null");
  }
  out += fmt::format(R"(],"unbound_frames":{},"clients":[)", now.unbound_frames);

  first = true;
  for (const ClientSample& client : now.clients) {
    out += first ? "{" : ",{";
    first = false;
    out += fmt::format(
        R"("id":{},"kind":"{}","address":{},"node":{},"frames_in":{},"bytes_in":{},)"
        R"("frames_out":{},"bytes_out":{},"frames_dropped":{},"send_queue_bytes":{}}})",
        client.id, client.kind, json_string(client.address),
        client.node ? json_string(*client.node) : "null", client.frames_in, client.bytes_in,
        client.frames_out, client.bytes_out, client.frames_dropped, client.send_queue_bytes);
  }
  out += fmt::format(
      R"(],"totals":{{"frames_in":{},"deliveries":{},"dropped_loss":{},"clients":{},"spies":{}}}}})",
      now.frames_in, now.deliveries, now.dropped_loss, now.clients_connected, now.spies_connected);
  previous_relay_ms_ = now.relay_ms;
  return out;
}

}  // namespace vmesh::relay
