// A relay restart that QEMU does not see: `vhost handover PATH` on the control socket makes
// this relay take the medium down, close what a stopping relay closes and hand its
// vhost-user front ends (sockets, negotiated state, guest memory, rings, eventfds) and its
// node sockets to the one new relay that connects to PATH; `--vhost-take-over PATH` is that
// new relay's side. The guests' frames in between are lost, as with any stopped relay.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>

#include "medium/units.hpp"
#include "relay/io/log.hpp"
#include "relay/io/relay_server.hpp"
#include "relay/io/user_data.hpp"

namespace vmesh::relay {

namespace {

// Cancelled ring operations complete within microseconds; this is for a kernel that
// does not.
constexpr std::int64_t kQuietWaitMs = 2000;
// Sending the records and the taker's ack (old relay), receiving them all (new relay).
constexpr int kTransferTimeoutMs = 10'000;

std::string node_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

void RelayServer::start_handover(std::uint32_t slot, const TextCommand& command) {
  if (options_.vhost_user_dir.empty()) {
    return reply_and_close(slot,
                           "error: vhost handover: this relay serves no vhost-user front ends "
                           "(no --vhost-user-dir)\n");
  }
  if (handover_) {
    return reply_and_close(
        slot, fmt::format("error: vhost handover already under way to {}\n", handover_->path));
  }
  Handover h;
  try {
    // One taker at a time: a second one waits in the backlog and finds the relay gone.
    h.listener = listen_unix(command.path, SOCK_SEQPACKET, 1);
  } catch (const std::system_error& e) {
    logf("control: vhost handover: {}", e.what());
    return reply_and_close(slot, fmt::format("error: vhost handover: {}\n", e.what()));
  }
  h.socket = SocketPath(command.path);
  h.path = command.path;
  h.wait_ms = command.wait_ms;
  h.reply_slot = slot;
  h.quiet_by_ms = now_ms_ + kQuietWaitMs;
  handover_ = std::move(h);
  conns_[slot]->state = ConnState::working;  // answered once the loop has ended

  // The medium is down from here on: nothing is accepted, read or delivered any more.
  for (std::uint32_t i = 0; i < listeners_.size(); ++i) {
    Listener& l = listeners_[i];
    if (l.kind != ConnKind::vhost) {
      ::shutdown(l.fd.get(), SHUT_RDWR);
    } else if (l.armed) {
      // Node sockets stay open for the new relay; only our accept goes.
      ring_.cancel(encode_op(OpKind::accept, 0, i), encode_op(OpKind::cancel, 0, 0));
    }
  }
  control_socket_.reset();  // the new relay makes its own
  std::size_t front_ends = 0;
  for (std::uint32_t other = 0; other < conns_.size(); ++other) {
    Connection& o = *conns_[other];
    if (other == slot || !o.live()) continue;
    if (o.kind != ConnKind::vhost) {
      begin_close(other, "relay handing over");
      continue;
    }
    ++front_ends;
    // A kick read left armed would take a kick meant for the new relay.
    cancel_kicks(other);
    if (o.vhost_poll_armed) {
      ring_.cancel(encode_op(OpKind::vhost_socket, o.generation, other),
                   encode_op(OpKind::cancel, 0, 0));
    }
  }
  logf(
      "control: vhost handover to {}: medium down; {} vhost-user front ends wait for a new "
      "relay (up to {})",
      command.path, front_ends, medium::format_duration(command.wait_ms * 1000));
}

std::size_t RelayServer::front_end_ops_in_flight() const {
  std::size_t ops = 0;
  for (const Listener& l : listeners_) ops += l.kind == ConnKind::vhost && l.armed ? 1 : 0;
  for (const auto& c : conns_) {
    if (c->kind == ConnKind::vhost && c->state != ConnState::free)
      ops += static_cast<std::size_t>(c->ops_in_flight);
  }
  return ops;
}

bool RelayServer::handover_quiet() const {
  return front_end_ops_in_flight() == 0 || now_ms_ >= handover_->quiet_by_ms;
}

std::vector<vhost::HandoverRecord> RelayServer::handover_records(std::string& summary) {
  std::vector<vhost::HandoverRecord> records;
  vhost::HandoverHello hello{static_cast<std::uint32_t>(::getpid()), 0, 0};
  records.emplace_back();
  for (const Listener& l : listeners_) {
    if (l.kind != ConnKind::vhost) continue;
    records.push_back(vhost::HandoverListener{node_names_[*l.node], l.fd.get()});
    ++hello.listeners;
  }
  std::vector<std::string> nodes;
  std::size_t rx_lost = 0;
  for (const auto& c : conns_) {
    if (c->kind != ConnKind::vhost || !c->live()) continue;
    vhost::HandoverConnection state = c->vhost->hand_over();
    state.node = node_names_[c->peer.id - kVhostPeerIdBase];
    state.socket_fd = c->fd.get();
    rx_lost += c->vhost->pending_rx_messages();
    nodes.push_back(state.node);
    records.push_back(std::move(state));
    ++hello.connections;
  }
  records.front() = hello;
  records.push_back(vhost::HandoverEnd{hello.listeners + hello.connections});
  if (rx_lost > 0 || delayed_.size() > 0) {
    logf(
        "vhost handover: {} messages waiting for the guests' RX buffers and {} delayed "
        "deliveries lost",
        rx_lost, delayed_.size());
  }
  summary = fmt::format("{} vhost-user front ends ({}) and {} node sockets", hello.connections,
                        nodes.empty() ? "none" : node_list(nodes), hello.listeners);
  return records;
}

int RelayServer::serve_handover() {
  const Handover& h = *handover_;
  if (const std::size_t ops = front_end_ops_in_flight(); ops > 0)
    logf("vhost handover: {} ring operations on the front ends still pending; going on", ops);
  std::string summary;
  const std::vector<vhost::HandoverRecord> records = handover_records(summary);
  // The answer comes now: listeners, capture and stats files are closed, the socket waits.
  Connection& asker = *conns_[h.reply_slot];
  if (asker.state == ConnState::working) {
    const std::string reply = fmt::format("ok handing over {} at {} (waiting up to {})\n", summary,
                                          h.path, medium::format_duration(h.wait_ms * 1000));
    ::send(asker.fd.get(), reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  for (std::uint32_t slot = 0; slot < conns_.size(); ++slot) {
    if (conns_[slot]->kind != ConnKind::vhost) begin_close(slot, "relay handing over", false);
  }
  // Nobody but the new relay may unlink the node sockets from now on: they are its.
  for (SocketPath& path : vhost_sockets_) path.release();
  logf("vhost handover: waiting at {} for a new relay to take {}", h.path, summary);

  const std::int64_t deadline_ms = monotonic_ms() + static_cast<std::int64_t>(h.wait_ms);
  bool polling = false;
  while (true) {
    if (!polling) polling = ring_.poll(h.listener.get(), POLLIN, encode_op(OpKind::handover, 0, 0));
    const std::int64_t left_ms = deadline_ms - monotonic_ms();
    if (left_ms <= 0) {
      logf(
          "vhost handover: no new relay took over at {} within {}; exiting, and the guests "
          "lose their vhost-user connections",
          h.path, medium::format_duration(h.wait_ms * 1000));
      return 1;
    }
    ring_.submit_and_wait(left_ms * 1'000'000);
    bool waiting = false;
    bool signalled = false;
    ring_.for_each_completion([&](const Completion& c) {
      const OpKind kind = decode_op(c.user_data).kind;
      if (kind == OpKind::signal && c.res > 0) signalled = true;
      if (kind == OpKind::handover) {
        polling = false;
        waiting = c.res > 0;
      }
    });
    if (signalled) {
      logf("vhost handover: signal {} received; exiting without handing over",
           signal_info_.ssi_signo);
      return 0;
    }
    if (!waiting) continue;
    const UniqueFd taker(::accept4(h.listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!taker) continue;
    PeerCredentials peer;
    try {
      peer = peer_credentials(taker.get());
    } catch (const HandoverFailure& e) {
      logf("vhost handover: a taker connected but {}", e.what());
      continue;
    }
    if (peer.uid != ::geteuid()) {
      logf("vhost handover: refused pid {} of uid {} (only uid {} may take over)", peer.pid,
           peer.uid, ::geteuid());
      continue;
    }
    try {
      const vhost::HandoverAck ack = give_handover(taker.get(), records, kTransferTimeoutMs);
      logf("vhost handover: handed {} to pid {} ({} front ends taken); exiting", summary, peer.pid,
           ack.connections);
      return 0;
    } catch (const HandoverFailure& e) {
      logf("vhost handover: pid {} did not take over: {}; waiting for another", peer.pid, e.what());
    }
  }
}

std::vector<HandedListener> RelayServer::take_vhost_handover() {
  const std::string& path = options_.vhost_take_over;
  if (path.empty()) return {};
  TakenHandover taken;
  try {
    taken = take_handover(path, kTransferTimeoutMs);
  } catch (const HandoverFailure& e) {
    logf("vhost take-over from {} failed: {}; starting without the front ends handed over", path,
         e.what());
    return {};
  }
  logf("vhost take-over from pid {} at {}: {} front ends, {} node sockets", taken.giver_pid, path,
       taken.connections.size(), taken.listeners.size());
  taken_ = std::move(taken.connections);
  took_over_ = true;
  return std::move(taken.listeners);
}

UniqueFd RelayServer::take_listener(std::vector<HandedListener>& handed, const std::string& node,
                                    const std::string& path) {
  for (HandedListener& l : handed) {
    if (l.node != node || !l.fd) continue;
    const UnixSocketInfo info = describe_unix_socket(l.fd.get());
    if (info.unix_stream && info.listening && info.path == path) return std::move(l.fd);
    logf(
        "vhost take-over: the socket handed over for node {} is not a listener at {}; a new "
        "one is made",
        node, path);
    l.fd.reset();
  }
  return {};
}

void RelayServer::adopt_taken_connections() {
  // Said after every take-over, none taken included: the launcher waits for this line.
  if (!took_over_) return;
  took_over_ = false;
  std::size_t served = 0;
  std::uint64_t lost = 0;
  for (HandedConnection& handed : taken_) {
    const vhost::HandoverConnection& state = handed.state;
    const auto named = std::find(node_names_.begin(), node_names_.end(), state.node);
    if (named == node_names_.end()) {
      logf("vhost take-over: node {} is not in this topology; its front end is closed", state.node);
      continue;
    }
    UniqueFd socket = VhostSession::take_fd(handed.fds, state.socket_fd);
    const UnixSocketInfo info = describe_unix_socket(socket.get());
    if (!info.unix_stream || info.listening) {
      logf(
          "vhost take-over: node {}: what came as its socket is no connected Unix stream "
          "socket; closed",
          state.node);
      continue;
    }
    const auto node = static_cast<medium::NodeId>(named - node_names_.begin());
    const std::uint32_t slot = open_vhost_connection(node, std::move(socket), "took over");
    Connection& c = *conns_[slot];
    std::string error;
    if (!c.vhost->take_over(state, handed.fds, error)) {
      begin_close(slot, "vhost take-over: " + error);
      continue;
    }
    const std::uint16_t tx_at = c.vhost->next_avail(vhost::kHwsimQueueTx);
    // What the guest sent while no relay served it is lost, as on a stopped medium: its
    // buffers go back to it at once.
    const std::uint32_t dropped = c.vhost->drop_pending_tx();
    if (!c.vhost->fault().empty()) {
      begin_close(slot, "guest broke its queue: " + c.vhost->fault());
      continue;
    }
    logf(
        "vhost-user {}: served on at TX index {}, RX index {}, {} radios; {} frames it sent "
        "while the medium was down lost to the restart",
        c.peer.text, tx_at, c.vhost->next_avail(vhost::kHwsimQueueRx),
        c.vhost->guest().radios().size(), dropped);
    ++served;
    lost += dropped;
    arm_vhost_poll(slot);
    for (std::uint32_t q = 0; q < vhost::kHwsimQueueCount; ++q) arm_kick(slot, q);
    mark_dirty(slot);
  }
  logf("vhost take-over: {} of {} front ends served on; {} frames lost to the restart", served,
       taken_.size(), lost);
  taken_.clear();  // closes whatever no front end took
}

}  // namespace vmesh::relay
