// The relay's data path: reassembling messages from a client's stream, handing each to the
// router and carrying its result out: receivers' bounded queues now, the delay queue for
// later, the capture and the sender's TX status; each queue is flushed with one send per
// loop turn.
#include <cstring>

#include "base/wire/message_decoder.hpp"
#include "base/wire/tx_status.hpp"
#include "relay/io/log.hpp"
#include "relay/io/relay_server.hpp"

namespace vmesh::relay {

namespace {

// Room for TX statuses beyond --queue-bytes (each is about 80 bytes).
constexpr std::size_t kProtocolAllowanceBytes = 256 * 1024;

}  // namespace

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
    ++frames_in_total_;
    c.bytes_in += message.size();
    if (c.tx_status != TxStatusMode::none && wire::is_hello(message)) {
      if (c.tx_status == TxStatusMode::offered) {
        c.tx_status = TxStatusMode::on;
        router_->on_tx_status_client(slot);
        logf("client id={} from {}: TX status on (the medium acknowledges its unicast frames)",
             c.peer.id, c.peer.text);
      }
    } else {
      carry_out(slot, message,
                router_->route({slot, message, medium_time_us(), c.tx_status == TxStatusMode::on}));
    }
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

void RelayServer::carry_out(std::uint32_t slot, std::span<const std::uint8_t> message,
                            const RouteResult& result) {
  if (result.binding.kind != Binding::Kind::none) {
    logf("client id={} from {}: {}", conns_[slot]->peer.id, conns_[slot]->peer.text,
         result.binding.detail);
  }
  if (capture_) capture_frame(slot, message, result);
  std::shared_ptr<const std::vector<std::uint8_t>> shared;  // one copy for all delayed receivers
  for (const RouteDelivery& d : result.deliveries) {
    if (d.delay_us == 0) {
      if (!enqueue(d.receiver, message, d.power_dbm) && d.on_link)
        queue_drops_.add(d.from_node, d.to_node, d.frame_bytes);
      continue;
    }
    if (!shared)
      shared = std::make_shared<const std::vector<std::uint8_t>>(message.begin(), message.end());
    delayed_.push({now_us_ + d.delay_us, 0, d.receiver, conns_[d.receiver]->generation, d.power_dbm,
                   d.from_node, d.to_node, d.frame_bytes, shared});
  }
  if (!result.tx_status.empty()) enqueue_protocol(slot, result.tx_status);
}

void RelayServer::capture_frame(std::uint32_t slot, std::span<const std::uint8_t> message,
                                const RouteResult& result) {
  const CaptureFacts& facts = result.capture;
  capture_verdicts_.clear();
  for (const medium::Delivery& d : facts.verdicts) {
    capture_verdicts_.push_back({d.receiver, static_cast<std::uint8_t>(d.verdict), d.signal_dbm,
                                 static_cast<std::uint32_t>(d.delay_us)});
  }
  capture::CaptureRecord r;
  r.interface_id = facts.interface_id;
  r.timestamp_us = now_us_ + realtime_offset_us_;
  r.freq_mhz = static_cast<std::uint16_t>(facts.freq_mhz);
  r.signal_dbm = static_cast<std::int8_t>(message[0]);
  r.peer_id = conns_[slot]->peer.id;
  r.receiver_count = facts.receiver_count;
  r.topology = facts.topology;
  capture_->submit(r, capture_verdicts_, facts.frame);
}

void RelayServer::deliver_due() {
  while (auto d = delayed_.pop_due(now_us_)) {
    Connection& c = *conns_[d->slot];
    if (!c.live() || c.generation != d->generation) continue;  // receiver left meanwhile
    if (!enqueue(d->slot, *d->message, d->power_dbm))
      queue_drops_.add(d->from_node, d->to_node, d->frame_bytes);
  }
}

bool RelayServer::enqueue(std::uint32_t slot, std::span<const std::uint8_t> message,
                          std::int8_t power_dbm) {
  Connection& c = *conns_[slot];
  if (!c.live()) return false;
  if (c.kind == ConnKind::vhost) {
    if (!deliver_vhost(c, message, power_dbm)) return false;
    mark_dirty(slot);
    return true;
  }
  if (c.queued.size() + message.size() > options_.queue_bytes) {
    // As on real air, a receiver that cannot keep up loses frames; others are unaffected.
    ++c.frames_dropped;
    ++c.dropped_since_log;
    return false;
  }
  const std::size_t at = c.queued.size();
  c.queued.insert(c.queued.end(), message.begin(), message.end());
  c.queued[at] = static_cast<std::uint8_t>(power_dbm);
  ++c.frames_out;
  c.bytes_out += message.size();
  mark_dirty(slot);
  return true;
}

void RelayServer::enqueue_protocol(std::uint32_t slot, std::span<const std::uint8_t> message) {
  Connection& c = *conns_[slot];
  if (!c.live()) return;
  if (c.kind == ConnKind::vhost) {
    c.vhost->medium_status(message);
    mark_dirty(slot);
    return;
  }
  if (c.queued.size() + message.size() > options_.queue_bytes + kProtocolAllowanceBytes) {
    ++c.frames_dropped;
    ++c.dropped_since_log;
    return;
  }
  c.queued.insert(c.queued.end(), message.begin(), message.end());
  mark_dirty(slot);
}

void RelayServer::flush_sends() {
  for (std::uint32_t slot : dirty_) {
    Connection& c = *conns_[slot];
    c.on_flush_list = false;
    if (c.kind == ConnKind::vhost) {
      if (c.live()) flush_vhost(slot);
      continue;
    }
    if (!c.live() || c.send_in_flight() || c.queued.empty()) continue;
    std::swap(c.queued, c.sending);
    c.queued.clear();
    c.sent = 0;
    c.last_send_progress_ms = now_ms_;
    arm_send(slot);
  }
  dirty_.clear();
}

}  // namespace vmesh::relay
