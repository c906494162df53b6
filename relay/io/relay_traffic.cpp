// The relay's data path: reassembling messages from a client's stream, fanning them out
// into receivers' bounded queues, flushing each queue with one send per loop turn, and
// answering control orders.
#include <cstring>

#include "relay/io/log.hpp"
#include "relay/io/relay_server.hpp"
#include "relay/wire/message_decoder.hpp"

namespace vmesh::relay {

void RelayServer::handle_frames(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  std::size_t offset = 0;
  while (true) {
    const std::span<const std::uint8_t> rest(c.rx.get() + offset, c.rx_len - offset);
    const wire::DecodeResult r = wire::decode_message(rest);
    if (r.status == wire::DecodeStatus::need_more) break;
    if (r.status == wire::DecodeStatus::malformed) {
      return begin_close(slot, fmt::format("malformed message: {} (value {})",
                                           wire::describe(r.error), r.bad_value));
    }
    const auto message = rest.first(r.wire_bytes);
    ++c.frames_in;
    fanout_.clear();
    core_.route(slot, message, fanout_);
    for (const Fanout& f : fanout_) enqueue(f.receiver, message, f.power_dbm);
    offset += r.wire_bytes;
  }

  const std::size_t leftover = c.rx_len - offset;
  if (offset > 0 && leftover > 0) std::memmove(c.rx.get(), c.rx.get() + offset, leftover);
  c.rx_len = leftover;
  if (leftover == 0) {
    c.partial_since_ms = -1;
  } else if (offset > 0 || c.partial_since_ms < 0) {
    // A new message started; one that keeps dripping without completing still times out.
    c.partial_since_ms = now_ms_;
  }
}

void RelayServer::enqueue(std::uint32_t slot, std::span<const std::uint8_t> message,
                          std::int8_t power_dbm) {
  Connection& c = *conns_[slot];
  if (c.closing) return;
  if (c.queued.size() + message.size() > options_.queue_bytes) {
    // As on real air, a receiver that cannot keep up loses frames; others are unaffected.
    ++c.frames_dropped;
    ++c.dropped_since_log;
    return;
  }
  const std::size_t at = c.queued.size();
  c.queued.insert(c.queued.end(), message.begin(), message.end());
  c.queued[at] = static_cast<std::uint8_t>(power_dbm);
  ++c.frames_out;
  if (!c.dirty) {
    c.dirty = true;
    dirty_.push_back(slot);
  }
}

void RelayServer::flush_sends() {
  for (std::uint32_t slot : dirty_) {
    Connection& c = *conns_[slot];
    c.dirty = false;
    if (!c.in_use || c.closing || c.send_armed || c.queued.empty()) continue;
    std::swap(c.queued, c.sending);
    c.queued.clear();
    c.sent = 0;
    c.last_send_progress_ms = now_ms_;
    arm_send(slot);
  }
  dirty_.clear();
}

void RelayServer::handle_control(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  const ControlParse parsed = parse_control_request({c.rx.get(), c.rx_len});
  if (parsed.status == ControlParseStatus::need_more) return;
  if (parsed.status == ControlParseStatus::invalid) {
    return begin_close(slot, fmt::format("invalid control order: {}", parsed.error));
  }
  const ControlOutcome outcome = core_.handle_control(parsed.request);
  if (options_.verbose) {
    logf("control order {} from {}", static_cast<int>(parsed.request.order), c.peer.text);
  }
  if (outcome.close_all_peers) {
    logf("control order: closing all clients and spies");
    for (std::uint32_t other = 0; other < conns_.size(); ++other) {
      Connection& o = *conns_[other];
      if (o.in_use && o.kind != ConnKind::control) begin_close(other, "closed by control order");
    }
  }
  if (outcome.reply.empty()) return begin_close(slot, "order done", false);
  c.close_after_send = true;
  c.queued.insert(c.queued.end(), outcome.reply.begin(), outcome.reply.end());
  if (!c.dirty) {
    c.dirty = true;
    dirty_.push_back(slot);
  }
}

}  // namespace vmesh::relay
