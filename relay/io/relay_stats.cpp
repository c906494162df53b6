// What the relay shows about itself while it runs: the snapshot of its counters, the
// periodic --stats-jsonl line and the GET /metrics answer on --metrics-listen.
#include <cstring>

#include "relay/core/http_request.hpp"
#include "relay/core/prometheus_text.hpp"
#include "relay/io/log.hpp"
#include "relay/io/relay_server.hpp"
#include "relay/io/user_data.hpp"

namespace vmesh::relay {

StatsSnapshot RelayServer::take_snapshot() const {
  StatsSnapshot s;
  s.relay_ms = (now_us_ - start_us_) / 1000;
  s.unix_ms = (now_us_ + realtime_offset_us_) / 1000;
  s.frames_in = frames_in_total_;
  router_->fill_snapshot(s, queue_drops_, delayed_);
  s.clients_connected = static_cast<std::uint32_t>(core_.peers().count(PeerKind::client));
  s.spies_connected = static_cast<std::uint32_t>(core_.peers().count(PeerKind::spy));
  for (std::uint32_t slot = 0; slot < conns_.size(); ++slot) {
    const Connection& c = *conns_[slot];
    if (!c.live() || !is_peer(c.kind)) continue;
    ClientSample client;
    client.id = c.peer.id;
    client.kind = to_string(c.kind);
    client.address = c.peer.text;
    client.node = router_->node_name(slot);
    client.frames_in = c.frames_in;
    client.bytes_in = c.bytes_in;
    client.frames_out = c.frames_out;
    client.bytes_out = c.bytes_out;
    client.frames_dropped = c.frames_dropped;
    client.send_queue_bytes = c.queued.size() + (c.sending.size() - c.sent);
    s.clients.push_back(std::move(client));
  }
  return s;
}

// Formatting runs on the loop thread (a few kilobytes per interval for a handful of nodes,
// well under a millisecond); the write itself goes through the ring (JsonlAppender).
void RelayServer::write_stats_line() {
  if (!stats_jsonl_) return;
  stats_jsonl_->append(stats_lines_.line(take_snapshot()));
  stats_jsonl_->submit(ring_, encode_op(OpKind::stats_write, 0, 0));
}

void RelayServer::finish_stats_file() {
  if (!stats_jsonl_) return;
  now_us_ = monotonic_us();
  now_ms_ = static_cast<std::int64_t>(now_us_ / 1000);
  write_stats_line();  // the final counters, so the last line matches what clients got
  // Let the writes in flight complete (they own their buffers), then write the rest.
  const std::int64_t deadline_ms = monotonic_ms() + 2000;
  while (stats_jsonl_->write_in_flight() && monotonic_ms() < deadline_ms) {
    ring_.submit_and_wait(50'000'000);
    ring_.for_each_completion([this](const Completion& c) { dispatch(c); });
  }
  stats_jsonl_->flush_blocking();
  if (stats_jsonl_->dropped_lines() > 0 || stats_jsonl_->last_error() != 0) {
    logf("stats file {}: {} lines dropped while the disk lagged{}", stats_jsonl_->path(),
         stats_jsonl_->dropped_lines(),
         stats_jsonl_->last_error()
             ? fmt::format(", last write error: {}", std::strerror(stats_jsonl_->last_error()))
             : "");
  }
}

void RelayServer::handle_metrics(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  const HttpRequestHead head = parse_http_request_head({c.rx.get(), c.rx_len});
  if (head.status == HttpRequestHead::Status::need_more) return;
  reply_and_close(slot,
                  metrics_http_answer(head, [&] { return prometheus_text(take_snapshot()); }));
}

}  // namespace vmesh::relay
