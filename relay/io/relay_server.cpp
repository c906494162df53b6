// The event loop: waiting, dispatching completions, accepting, receiving, sending,
// closing and the periodic timeouts.
#include "relay/io/relay_server.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/wire/tx_status.hpp"
#include "relay/core/http_request.hpp"
#include "relay/io/log.hpp"
#include "relay/io/user_data.hpp"

namespace vmesh::relay {

namespace {

constexpr std::int64_t kTickMs = 50;

bool is_resource_shortage(int err) {
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

}  // namespace

std::int64_t RelayServer::wait_budget_ns(std::int64_t next_tick_ms) const {
  std::int64_t wait_ns = std::max<std::int64_t>(1, next_tick_ms - now_ms_) * 1'000'000;
  if (handover_) return wait_ns;  // only the ring's own completions matter now
  auto tighten = [&](std::optional<std::uint64_t> due_us) {
    if (!due_us) return;
    const std::int64_t until_ns =
        *due_us > now_us_ ? static_cast<std::int64_t>(*due_us - now_us_) * 1000 : 0;
    wait_ns = std::min(wait_ns, std::max<std::int64_t>(until_ns, 1000));
  };
  tighten(delayed_.next_due_us());
  if (next_stats_ms_ >= 0) tighten(static_cast<std::uint64_t>(next_stats_ms_) * 1000);
  if (auto event_us = router_->next_event_us()) {
    tighten(*event_us > timeline_offset_us_ ? *event_us - timeline_offset_us_ + start_us_
                                            : now_us_);
  }
  return wait_ns;
}

int RelayServer::run() {
  now_ms_ = monotonic_ms();
  now_us_ = start_us_ = monotonic_us();
  timeline_offset_us_ = options_.timeline_start_ms * 1000;
  // A relay restarted in the middle of a run continues a timeline that was running.
  if (options_.timeline_start_ms > 0) router_->start_timeline(0);
  timespec realtime{};
  ::clock_gettime(CLOCK_REALTIME, &realtime);
  realtime_offset_us_ = static_cast<std::uint64_t>(realtime.tv_sec) * 1'000'000 +
                        static_cast<std::uint64_t>(realtime.tv_nsec) / 1000 - now_us_;
  for (std::uint32_t i = 0; i < listeners_.size(); ++i) arm_accept(i);
  arm_signal();
  logf("listening on {}: clients tcp {}, spies {}, control {}, TX-status clients {}{}{}",
       options_.bind_address, ports_.tcp, ports_.spy, ports_.control, ports_.txstatus,
       ports_.vsock ? ", vsock " : "", ports_.vsock ? std::to_string(*ports_.vsock) : "");
  write_ports_file();
  if (stats_jsonl_) next_stats_ms_ = now_ms_ + options_.stats_interval_ms;
  adopt_taken_connections();

  std::int64_t next_tick_ms = now_ms_ + kTickMs;
  while (!stop_) {
    flush_sends();
    const std::int64_t budget_ns = wait_budget_ns(next_tick_ms);
    const std::int64_t spin_ns = std::min<std::int64_t>(budget_ns, options_.busy_poll_us * 1000ll);
    const bool ready = spin_ns > 0 && ring_.spin_for_completion(spin_ns);
    const int rc = ready ? 0 : ring_.submit_and_wait(budget_ns);
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EBUSY) {
      logf("io_uring wait failed: {}", std::strerror(-rc));
      return 1;
    }
    now_us_ = monotonic_us();
    now_ms_ = static_cast<std::int64_t>(now_us_ / 1000);
    ring_.for_each_completion([this](const Completion& c) { dispatch(c); });
    if (handover_) {
      if (handover_quiet()) stop_ = true;
      continue;  // the medium is down: delayed deliveries, timeline and lines wait no more
    }
    deliver_due();
    router_->advance_to(medium_time_us());  // events fire without traffic too
    if (next_stats_ms_ >= 0 && now_ms_ >= next_stats_ms_) {
      write_stats_line();
      // Stay on the interval's grid, but never owe a burst of lines after a long stall.
      next_stats_ms_ += options_.stats_interval_ms;
      if (next_stats_ms_ <= now_ms_) next_stats_ms_ = now_ms_ + options_.stats_interval_ms;
    }
    if (now_ms_ >= next_tick_ms) {
      check_timeouts();
      next_tick_ms = now_ms_ + kTickMs;
    }
  }

  logf("{}", router_->stop_summary(frames_in_total_, queue_drops_));
  write_stats_file();
  finish_stats_file();
  close_capture_at_exit();
  if (handover_) return serve_handover();
  for (std::uint32_t slot = 0; slot < conns_.size(); ++slot) {
    if (conns_[slot]->state != ConnState::free) begin_close(slot, "relay stopping");
  }
  // The ring keeps its own references to the listeners until its asynchronous teardown
  // after exit; shutting them down now frees the ports for a relay restarted right away.
  for (Listener& l : listeners_) ::shutdown(l.fd.get(), SHUT_RDWR);
  control_socket_.reset();
  vhost_sockets_.clear();
  return 0;
}

void RelayServer::dispatch(const Completion& completion) {
  const OpTag tag = decode_op(completion.user_data);
  const int res = completion.res;
  if (tag.kind == OpKind::accept) return on_accept(tag.slot, completion);
  if (tag.kind == OpKind::stats_write) {
    if (stats_jsonl_) {
      stats_jsonl_->on_write_done(res);
      stats_jsonl_->submit(ring_, encode_op(OpKind::stats_write, 0, 0));
    }
    return;
  }
  if (tag.kind == OpKind::reload_done) return on_reload_done();
  if (tag.kind == OpKind::cancel) return;
  if (tag.kind == OpKind::vhost_kick) return on_vhost_kick(tag.slot, res, tag.generation);
  if (tag.kind == OpKind::signal) {
    if (res > 0) {
      logf("signal {} received{}", signal_info_.ssi_signo,
           handover_ ? "; the vhost handover is abandoned" : "");
      handover_.reset();  // a relay told to stop stops, whatever it was doing
      stop_ = true;
    } else {
      arm_signal();
    }
    return;
  }
  if (tag.slot >= conns_.size()) return;
  Connection& c = *conns_[tag.slot];
  if (c.state == ConnState::free || !is_current(tag, c.generation))
    return;  // stale completion: the slot was closed (and maybe reused) meanwhile
  --c.ops_in_flight;
  if (tag.kind == OpKind::recv) on_recv(tag.slot, res);
  if (tag.kind == OpKind::send) on_send(tag.slot, res);
  if (tag.kind == OpKind::vhost_socket) on_vhost_socket(tag.slot, res);
  release_if_idle(tag.slot);
}

void RelayServer::on_accept(std::uint32_t index, const Completion& completion) {
  Listener& l = listeners_[index];
  const int res = completion.res;
  if (!completion.more()) l.armed = false;  // multishot ended: re-arm below
  if (handover_ && (l.kind != ConnKind::vhost || res < 0)) {
    if (res >= 0) ::close(res);  // accepted just before the listener was shut down
    return;                      // or the cancelled accept of a node socket
  }
  if (res < 0) {
    if (is_resource_shortage(-res)) {
      // The connection stays in the backlog; retry on a later tick instead of spinning.
      if (l.retry_at_ms < 0) logf("accept on {} failed: {}; retrying", l.name, std::strerror(-res));
      l.retry_at_ms = now_ms_ + 100;
      return;
    }
    logf("accept on {} failed: {}", l.name, std::strerror(-res));
  } else {
    l.retry_at_ms = -1;
    if (l.kind == ConnKind::vhost) {
      // During a handover too: the new front end is handed over with the others.
      on_vhost_accept(l, UniqueFd(res));
      if (!l.armed && l.retry_at_ms < 0 && !handover_) arm_accept(index);
      return;
    }
    const std::uint32_t slot = open_connection(UniqueFd(res), l.kind);
    Connection& c = *conns_[slot];
    if (is_peer(c.kind)) {
      const auto kind = c.kind == ConnKind::spy ? PeerKind::spy : PeerKind::client;
      const ConnectResult joined = router_->on_connect({slot, kind, c.peer.transport, c.peer.id});
      logf("connect {} id={} from {}", to_string(c.kind), c.peer.id, c.peer.text);
      if (joined.taken_over)
        begin_close(*joined.taken_over, "taken over by a new connection with the same id");
      if (!joined.log.empty()) logf("client id={}: {}", c.peer.id, joined.log);
    }
    if (l.tx_status) {
      // The offer comes first on the stream; the agent's hello accepts it.
      c.tx_status = TxStatusMode::offered;
      hello_scratch_.clear();
      wire::append_hello(hello_scratch_);
      enqueue_protocol(slot, hello_scratch_);
    }
    arm_recv(slot);
  }
  if (!l.armed && l.retry_at_ms < 0 && !handover_) arm_accept(index);
}

std::uint32_t RelayServer::open_connection(UniqueFd fd, ConnKind kind) {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(conns_.size());
    conns_.push_back(std::make_unique<Connection>());
  }
  Connection& c = *conns_[slot];
  // A fresh state for the slot; only the receive buffer and the generation carry over.
  std::unique_ptr<std::uint8_t[]> rx = std::move(c.rx);
  const std::uint32_t generation = c.generation;
  c = Connection{};
  c.rx = rx ? std::move(rx) : std::make_unique<std::uint8_t[]>(kRxBufferBytes);
  c.generation = generation;
  c.peer = describe_peer(fd.get(), options_.use_port_in_hash);
  if (is_peer(kind)) set_no_delay(fd.get());
  c.fd = std::move(fd);
  c.kind = kind;
  c.state = ConnState::open;
  c.opened_ms = now_ms_;
  return slot;
}

void RelayServer::on_recv(std::uint32_t slot, int res) {
  Connection& c = *conns_[slot];
  if (c.state == ConnState::closing) return;
  if (res == 0) return begin_close(slot, "peer closed the connection", is_peer(c.kind));
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) return arm_recv(slot);
    return begin_close(slot, fmt::format("receive failed: {}", std::strerror(-res)));
  }
  c.rx_len += static_cast<std::size_t>(res);
  switch (c.kind) {
    case ConnKind::control:
      handle_control(slot);
      break;
    case ConnKind::command:
      handle_command(slot);
      break;
    case ConnKind::metrics:
      handle_metrics(slot);
      break;
    case ConnKind::client:
    case ConnKind::spy:
      handle_frames(slot);
      break;
    case ConnKind::vhost:  // read by on_vhost_socket, never by recv
      break;
  }
  if (c.state == ConnState::open) arm_recv(slot);
}

void RelayServer::on_send(std::uint32_t slot, int res) {
  Connection& c = *conns_[slot];
  if (c.state == ConnState::closing) return;
  if (res < 0) return begin_close(slot, fmt::format("send failed: {}", std::strerror(-res)));
  c.last_send_progress_ms = now_ms_;
  c.sent += static_cast<std::size_t>(res);
  if (c.sent < c.sending.size()) return arm_send(slot);  // short write: send the rest
  c.sending.clear();
  c.sent = 0;
  if (c.state == ConnState::replying && c.queued.empty())
    return begin_close(slot, "reply sent", false);
  if (!c.queued.empty()) mark_dirty(slot);
}

void RelayServer::mark_dirty(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  if (c.on_flush_list) return;
  c.on_flush_list = true;
  dirty_.push_back(slot);
}

void RelayServer::begin_close(std::uint32_t slot, const std::string& reason, bool log) {
  Connection& c = *conns_[slot];
  if (!c.live()) return;
  c.state = ConnState::closing;
  if (is_peer(c.kind)) router_->on_disconnect(slot);
  if (c.kind == ConnKind::vhost) cancel_kicks(slot);
  if (log) {
    logf("disconnect {} id={} from {}: {} (frames in {}, out {}, dropped {}{})", to_string(c.kind),
         c.peer.id, c.peer.text, reason, c.frames_in, c.frames_out, c.frames_dropped,
         vhost_close_detail(c));
  }
  // shutdown() completes our pending recv (EOF) and send (EPIPE) right away, so the
  // descriptor can be closed once the kernel has handed back every buffer.
  ::shutdown(c.fd.get(), SHUT_RDWR);
  release_if_idle(slot);
}

void RelayServer::release_if_idle(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  if (c.state != ConnState::closing || c.ops_in_flight > 0) return;
  c.fd.reset();
  c.vhost.reset();  // unmaps the guest's memory, closes its eventfds
  c.state = ConnState::free;
  c.generation = next_generation(c.generation);
  c.queued = {};
  c.sending = {};
  free_slots_.push_back(slot);
}

void RelayServer::check_timeouts() {
  for (std::uint32_t i = 0; i < listeners_.size(); ++i) {
    Listener& l = listeners_[i];
    if (!l.armed && l.retry_at_ms >= 0 && now_ms_ >= l.retry_at_ms) {
      l.retry_at_ms = -1;
      arm_accept(i);
    }
  }
  for (std::uint32_t slot = 0; slot < conns_.size(); ++slot) {
    Connection& c = *conns_[slot];
    if (!c.live()) continue;
    if (c.kind == ConnKind::control || c.kind == ConnKind::command) {
      // A reload being parsed is not silence: its reply comes when the parse is done.
      if (c.state != ConnState::working && now_ms_ - c.opened_ms > options_.control_timeout_ms) {
        begin_close(
            slot, fmt::format("control connection silent for {} ms", options_.control_timeout_ms));
      }
      continue;
    }
    if (c.kind == ConnKind::vhost) c.vhost->signal_owed_tx();
    if (c.kind == ConnKind::metrics) {
      // One bound for the whole exchange: a client that sends nothing, drips its request
      // or does not read the answer holds a slot this long at most.
      if (now_ms_ - c.opened_ms > options_.metrics_timeout_ms) {
        begin_close(
            slot, fmt::format("HTTP exchange not done within {} ms", options_.metrics_timeout_ms));
      }
      continue;
    }
    if (c.partial_since_ms >= 0 && now_ms_ - c.partial_since_ms > options_.partial_timeout_ms) {
      begin_close(slot, fmt::format("half-sent frame ({} bytes) for over {} ms", c.rx_len,
                                    options_.partial_timeout_ms));
      continue;
    }
    if (c.send_in_flight() && now_ms_ - c.last_send_progress_ms > options_.stall_timeout_ms) {
      begin_close(
          slot,
          fmt::format("receiver stalled: nothing accepted for {} ms, {} bytes waiting",
                      options_.stall_timeout_ms, c.sending.size() - c.sent + c.queued.size()));
      continue;
    }
    if (c.dropped_since_log > 0) {
      logf("{} id={} from {}: dropped {} frames (send queue full, {} total)", to_string(c.kind),
           c.peer.id, c.peer.text, c.dropped_since_log, c.frames_dropped);
      c.dropped_since_log = 0;
    }
  }
}

void RelayServer::arm_accept(std::uint32_t index) {
  if (!ring_.accept_multishot(listeners_[index].fd.get(), encode_op(OpKind::accept, 0, index)))
    return;  // retried on a later tick
  listeners_[index].armed = true;
}

void RelayServer::arm_recv(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  // An HTTP request head is read only up to its limit; what a client sends past it is never
  // read (the connection is answered 431 and closed).
  const std::size_t capacity = c.kind == ConnKind::metrics ? kMaxHttpRequestBytes : kRxBufferBytes;
  if (!ring_.recv(c.fd.get(), c.rx.get() + c.rx_len, capacity - c.rx_len,
                  encode_op(OpKind::recv, c.generation, slot)))
    return begin_close(slot, "submission queue exhausted");
  ++c.ops_in_flight;
}

void RelayServer::arm_send(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  if (!ring_.send(c.fd.get(), c.sending.data() + c.sent, c.sending.size() - c.sent,
                  encode_op(OpKind::send, c.generation, slot)))
    return begin_close(slot, "submission queue exhausted");
  ++c.ops_in_flight;
}

void RelayServer::arm_signal() {
  ring_.read(signal_fd_.get(), &signal_info_, sizeof(signal_info_),
             encode_op(OpKind::signal, 0, 0));
}

}  // namespace vmesh::relay
