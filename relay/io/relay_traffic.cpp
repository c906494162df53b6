// The relay's data path: reassembling messages from a client's stream, fanning them out
// into receivers' bounded queues, flushing each queue with one send per loop turn, and
// answering control orders.
#include <algorithm>
#include <cstring>

#include "medium/topology_parser.hpp"
#include "relay/core/text_command.hpp"
#include "relay/io/log.hpp"
#include "relay/io/relay_server.hpp"
#include "base/wire/frame_header.hpp"
#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_decoder.hpp"
#include "base/wire/tx_status.hpp"

namespace vmesh::relay {

namespace {

// Room for TX statuses beyond --queue-bytes (each is about 80 bytes).
constexpr std::size_t kProtocolAllowanceBytes = 256 * 1024;
// ACK signal when the medium gives none (vwifi mode): vwifi's value at distance 0.
constexpr std::int8_t kVwifiAckSignalDbm = -10;

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
    if (c.tx_status_port && wire::is_hello(message)) {
      if (!c.tx_status_on) {
        c.tx_status_on = true;
        core_.learn_addresses();
        logf("client id={} from {}: TX status on (the medium acknowledges its unicast frames)",
             c.peer.id, c.peer.text);
      }
    } else if (topology_ && c.kind == ConnKind::client) {
      route_topology(slot, message);
    } else {
      route_vwifi(slot, message);
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

void RelayServer::route_vwifi(std::uint32_t slot, std::span<const std::uint8_t> message) {
  fanout_.clear();
  core_.route(slot, message, fanout_);
  for (const Fanout& f : fanout_) enqueue(f.receiver, message, f.power_dbm);
  if (capture_) capture_vwifi_frame(slot, message, fanout_.size());
  if (!conns_[slot]->tx_status_on) return;
  // vwifi's medium has no retries: acknowledged when the addressed client got it.
  const wire::HwsimMessage tx = wire::read_hwsim_message(message);
  if (!wire::wants_medium_ack(tx)) return;
  // wants_medium_ack() checked that the frame has an individual addr1.
  const auto owner = core_.owner_of(*wire::addr1_of(tx.frame));
  const auto got = std::find_if(fanout_.begin(), fanout_.end(),
                                [&](const Fanout& f) { return owner && f.receiver == *owner; });
  const bool acked = got != fanout_.end();
  answer_tx_status(slot, tx,
                   {.acked = acked, .attempts = acked ? 1 : wire::planned_attempts(tx.tx_info)},
                   acked ? got->power_dbm : kVwifiAckSignalDbm);
}

void RelayServer::answer_tx_status(std::uint32_t slot, const wire::HwsimMessage& tx,
                                   const wire::TxOutcome& outcome, std::int8_t signal_dbm) {
  status_scratch_.clear();
  if (!wire::append_tx_status_message(status_scratch_, tx, outcome, signal_dbm)) {
    return;
  }
  enqueue_protocol(slot, status_scratch_);
}

void RelayServer::enqueue_protocol(std::uint32_t slot, std::span<const std::uint8_t> message) {
  Connection& c = *conns_[slot];
  if (c.closing) return;
  if (c.queued.size() + message.size() > options_.queue_bytes + kProtocolAllowanceBytes) {
    ++c.frames_dropped;
    ++c.dropped_since_log;
    return;
  }
  c.queued.insert(c.queued.end(), message.begin(), message.end());
  mark_dirty(slot);
}

void RelayServer::route_topology(std::uint32_t slot, std::span<const std::uint8_t> message) {
  routed_.clear();
  Binding binding;
  wire::HwsimMessage tx;
  AckRequest ack;
  bool ack_wanted = false;
  if (conns_[slot]->tx_status_on) {
    tx = wire::read_hwsim_message(message);
    ack_wanted = wire::wants_medium_ack(tx);
    ack.planned_attempts = wire::planned_attempts(tx.tx_info);
  }
  topology_->route(slot, message, medium_time_us(), routed_, binding, ack_wanted ? &ack : nullptr);
  if (ack_wanted) answer_tx_status(slot, tx, ack.outcome, ack.signal_dbm);
  if (binding.kind != Binding::Kind::none) {
    logf("client id={} from {}: {}", conns_[slot]->peer.id, conns_[slot]->peer.text,
         binding.detail);
  }
  if (capture_) capture_topology_frame(slot, message);
  std::shared_ptr<const std::vector<std::uint8_t>> shared;  // one copy for all delayed receivers
  for (const RoutedDelivery& d : routed_) {
    if (d.delay_us == 0) {
      if (!enqueue(d.receiver, message, d.power_dbm))
        topology_->count_queue_drop(d.from_node, d.to_node, d.frame_bytes);
      continue;
    }
    if (!shared)
      shared = std::make_shared<const std::vector<std::uint8_t>>(message.begin(), message.end());
    delayed_.push({now_us_ + d.delay_us, 0, d.receiver, conns_[d.receiver]->generation, d.power_dbm,
                   d.from_node, d.to_node, d.frame_bytes, shared});
  }
  // Spies hear everything, unchanged, at once (as with vwifi).
  for (const LivePeer& peer : core_.peers().live()) {
    if (peer.kind == PeerKind::spy)
      enqueue(peer.slot, message, static_cast<std::int8_t>(message[0]));
  }
}

void RelayServer::capture_topology_frame(std::uint32_t slot,
                                         std::span<const std::uint8_t> message) {
  const wire::FrameRouting& routing = topology_->last_routing();
  const auto sender = topology_->node_of(slot);
  capture_verdicts_.clear();
  for (const medium::Delivery& d : topology_->last_decisions()) {
    capture_verdicts_.push_back({d.receiver, static_cast<std::uint8_t>(d.verdict), d.signal_dbm,
                                 static_cast<std::uint32_t>(d.delay_us)});
  }
  capture::CaptureRecord r;
  r.interface_id =
      sender ? *sender : static_cast<std::uint32_t>(topology_->topology().nodes.size());
  r.timestamp_us = now_us_ + realtime_offset_us_;
  r.freq_mhz = static_cast<std::uint16_t>(routing.freq_mhz);
  r.signal_dbm = static_cast<std::int8_t>(message[0]);
  r.peer_id = conns_[slot]->peer.id;
  r.topology = true;
  capture_->submit(r, capture_verdicts_, routing.frame);
}

void RelayServer::capture_vwifi_frame(std::uint32_t slot, std::span<const std::uint8_t> message,
                                      std::size_t receivers) {
  const wire::FrameRouting& routing = core_.last_routing();
  capture::CaptureRecord r;
  r.timestamp_us = now_us_ + realtime_offset_us_;
  r.freq_mhz = static_cast<std::uint16_t>(routing.freq_mhz);
  r.signal_dbm = static_cast<std::int8_t>(message[0]);
  r.peer_id = conns_[slot]->peer.id;
  r.receiver_count = static_cast<std::uint32_t>(receivers);
  capture_->submit(r, {}, routing.frame);
}

void RelayServer::deliver_due() {
  while (auto d = delayed_.pop_due(now_us_)) {
    Connection& c = *conns_[d->slot];
    if (!c.in_use || c.closing || c.generation != d->generation)
      continue;  // receiver left meanwhile
    if (!enqueue(d->slot, *d->message, d->power_dbm))
      topology_->count_queue_drop(d->from_node, d->to_node, d->frame_bytes);
  }
}

bool RelayServer::enqueue(std::uint32_t slot, std::span<const std::uint8_t> message,
                          std::int8_t power_dbm) {
  Connection& c = *conns_[slot];
  if (c.closing) return false;
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

void RelayServer::reply_and_close(std::uint32_t slot, std::span<const std::uint8_t> reply) {
  Connection& c = *conns_[slot];
  if (reply.empty()) return begin_close(slot, "order done", false);
  c.close_after_send = true;
  c.queued.insert(c.queued.end(), reply.begin(), reply.end());
  mark_dirty(slot);
}

void RelayServer::handle_text_command(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  const TextParse parsed = parse_text_command({c.rx.get(), c.rx_len});
  if (parsed.status == TextParse::Status::need_more) return;
  std::string reply;
  if (parsed.status == TextParse::Status::invalid) {
    reply = "error: " + parsed.error + "\n";
  } else if (!topology_) {
    reply = "error: no topology loaded (start vmesh-relay with --topology FILE)\n";
  } else if (parsed.command.kind == TextCommand::Kind::stats) {
    reply = topology_->stats_json() + "\n";
  } else if (parsed.command.kind == TextCommand::Kind::reload) {
    try {
      auto result =
          topology_->reload(medium::load_topology_file(parsed.command.path), medium_time_us());
      reply = result.ok ? result.text + "ok\n" : "error: " + result.text + "\n";
      logf("control: reload {}: {}", parsed.command.path, result.ok ? "applied" : result.text);
    } catch (const medium::TopologyError& e) {
      reply = std::string("error: ") + e.what() + "\n";
    }
  } else {
    const TextCommand& cmd = parsed.command;
    const std::string error = topology_->set_link(cmd.node_a, cmd.node_b, cmd.changes, cmd.one_way);
    reply = error.empty() ? "ok\n" : "error: " + error + "\n";
    logf("control: link set {} {}{}: {}", cmd.node_a, cmd.node_b, cmd.one_way ? " (one way)" : "",
         error.empty() ? "applied" : error);
  }
  reply_and_close(slot,
                  std::span(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size()));
}

void RelayServer::handle_control(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  if (is_text_command({c.rx.get(), c.rx_len})) return handle_text_command(slot);
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
      if (o.in_use && is_peer(o.kind)) begin_close(other, "closed by control order");
    }
  }
  reply_and_close(slot, outcome.reply);
}

}  // namespace vmesh::relay
