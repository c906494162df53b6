#include "relay/core/prometheus_text.hpp"

#include <fmt/format.h>

#include <functional>

namespace vmesh::relay {

namespace {

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string link_labels(const LinkSample& link) {
  return fmt::format(R"(from="{}",to="{}")", prometheus_label_value(link.from),
                     prometheus_label_value(link.to));
}

std::string client_labels(const ClientSample& client) {
  return fmt::format(R"(id="{}",kind="{}",node="{}")", client.id, client.kind,
                     prometheus_label_value(client.node.value_or("")));
}

}  // namespace

std::string prometheus_label_value(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string prometheus_text(const StatsSnapshot& s) {
  std::string out;
  const auto per_link = [&](const char* name, const char* type, const char* help,
                            const std::function<std::uint64_t(const LinkSample&)>& value) {
    family(out, name, type, help);
    for (const LinkSample& link : s.links)
      out += fmt::format("{}{{{}}} {}\n", name, link_labels(link), value(link));
  };
  if (s.topology) {
    per_link("vmesh_link_frames_sent_total", "counter",
             "Frames a node sent on a directed link it has (pairs that cannot hear not counted).",
             [](const LinkSample& l) { return l.counter.sent; });
    per_link("vmesh_link_frames_delivered_total", "counter",
             "Frames handed to the receiving node's connection.",
             [](const LinkSample& l) { return l.counter.delivered; });
    per_link("vmesh_link_bytes_sent_total", "counter", "802.11 frame bytes sent on the link.",
             [](const LinkSample& l) { return l.counter.bytes_sent; });
    per_link("vmesh_link_bytes_delivered_total", "counter",
             "802.11 frame bytes delivered on the link.",
             [](const LinkSample& l) { return l.counter.bytes_delivered; });
    family(out, "vmesh_link_frames_dropped_total", "counter",
           "Frames dropped on the link, by reason (deaf: the pair cannot hear each other).");
    for (const LinkSample& link : s.links) {
      for (int r = 0; r < static_cast<int>(DropReason::count); ++r) {
        out += fmt::format("vmesh_link_frames_dropped_total{{{},reason=\"{}\"}} {}\n",
                           link_labels(link), to_string(static_cast<DropReason>(r)),
                           link.counter.dropped[r]);
      }
    }
    family(out, "vmesh_link_delay_seconds_total", "counter",
           "Sum of the delays applied to delivered frames; divide by frames delivered.");
    for (const LinkSample& link : s.links) {
      out += fmt::format("vmesh_link_delay_seconds_total{{{}}} {:.6f}\n", link_labels(link),
                         static_cast<double>(link.counter.delay_us_total) / 1e6);
    }
    per_link("vmesh_link_delay_queue_frames", "gauge",
             "Deliveries on the link waiting for their delay now.",
             [](const LinkSample& l) { return std::uint64_t{l.delay_queue_frames}; });
    family(out, "vmesh_unbound_frames_total", "counter",
           "Frames from connections that match no topology node (dropped).");
    out += fmt::format("vmesh_unbound_frames_total {}\n", s.unbound_frames);
  }

  family(out, "vmesh_frames_in_total", "counter", "Messages received from clients and spies.");
  out += fmt::format("vmesh_frames_in_total {}\n", s.frames_in);
  family(out, "vmesh_deliveries_total", "counter", "Frames given to a receiver's send queue.");
  out += fmt::format("vmesh_deliveries_total {}\n", s.deliveries);
  family(out, "vmesh_connected", "gauge", "Connected peers by kind.");
  out += fmt::format("vmesh_connected{{kind=\"client\"}} {}\n", s.clients_connected);
  out += fmt::format("vmesh_connected{{kind=\"spy\"}} {}\n", s.spies_connected);

  const auto per_client = [&](const char* name, const char* type, const char* help,
                              const std::function<std::uint64_t(const ClientSample&)>& value) {
    family(out, name, type, help);
    for (const ClientSample& c : s.clients)
      out += fmt::format("{}{{{}}} {}\n", name, client_labels(c), value(c));
  };
  per_client("vmesh_client_frames_received_total", "counter",
             "Messages the relay received from the peer.",
             [](const ClientSample& c) { return c.frames_in; });
  per_client("vmesh_client_frames_sent_total", "counter", "Messages queued to the peer.",
             [](const ClientSample& c) { return c.frames_out; });
  per_client("vmesh_client_frames_dropped_total", "counter",
             "Messages refused because the peer's send queue was full.",
             [](const ClientSample& c) { return c.frames_dropped; });
  per_client("vmesh_client_send_queue_bytes", "gauge", "Bytes waiting to be sent to the peer.",
             [](const ClientSample& c) { return c.send_queue_bytes; });
  family(out, "vmesh_uptime_seconds", "gauge", "Seconds since the relay started listening.");
  out += fmt::format("vmesh_uptime_seconds {:.3f}\n", static_cast<double>(s.relay_ms) / 1000.0);
  return out;
}

}  // namespace vmesh::relay
