// vhost-user front ends on the relay's loop: one listening socket per topology node, the
// control messages of each QEMU (read when its socket polls readable), the guest's kicks
// (io_uring reads of its kick eventfds) and the frames between its hwsim queues and the
// router. A front end that breaks the protocol or its queues is closed alone.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "relay/io/log.hpp"
#include "relay/io/relay_server.hpp"
#include "relay/io/user_data.hpp"

namespace vmesh::relay {

void RelayServer::open_vhost_listeners() {
  const std::string& dir = options_.vhost_user_dir;
  if (dir.empty()) return;
  if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST)
    throw UsageError(fmt::format("--vhost-user-dir {}: {}", dir, std::strerror(errno)));
  std::vector<HandedListener> handed = take_vhost_handover();
  std::size_t taken = 0;
  for (medium::NodeId node = 0; node < node_names_.size(); ++node) {
    const std::string path = fmt::format("{}/{}.sock", dir, node_names_[node]);
    // A node socket handed over never stopped accepting: a VM that connected meanwhile
    // waits in its backlog.
    UniqueFd fd = take_listener(handed, node_names_[node], path);
    if (fd) ++taken;
    try {
      if (!fd) fd = listen_unix(path);
    } catch (const std::system_error& e) {
      throw UsageError(fmt::format("--vhost-user-dir: {}", e.what()));
    }
    listeners_.push_back(Listener{std::move(fd), ConnKind::vhost, "vhost-user", false, -1});
    listeners_.back().node = node;
    vhost_sockets_.emplace_back(path);
  }
  logf("vhost-user: {} node sockets in {}{}", node_names_.size(), dir,
       taken > 0 ? fmt::format(" ({} taken over)", taken) : "");
}

void RelayServer::on_vhost_accept(const Listener& listener, UniqueFd fd) {
  arm_vhost_poll(open_vhost_connection(*listener.node, std::move(fd), "connect"));
}

std::uint32_t RelayServer::open_vhost_connection(medium::NodeId node, UniqueFd fd,
                                                 std::string_view how) {
  const std::uint32_t slot = open_connection(std::move(fd), ConnKind::vhost);
  Connection& c = *conns_[slot];
  c.peer.id = kVhostPeerIdBase + node;
  c.peer.text = fmt::format("{}.sock", node_names_[node]);
  c.peer.transport = Transport::unix_socket;
  c.vhost = std::make_unique<VhostSession>(options_.queue_bytes, wire::kDefaultTxPowerDbm);
  PeerConnect peer{slot, PeerKind::client, Transport::unix_socket, c.peer.id};
  peer.node = node;
  peer.node_source = fmt::format("its vhost-user socket {}", c.peer.text);
  const ConnectResult joined = router_->on_connect(peer);
  // The medium decides every unicast frame's acknowledgement: nobody else could.
  router_->on_tx_status_client(slot);
  logf("{} vhost-user front end of node {} on {}", how, node_names_[node], c.peer.text);
  if (joined.taken_over)
    begin_close(*joined.taken_over, "taken over by a new front end on the same socket");
  if (!joined.log.empty()) logf("vhost-user {}: {}", c.peer.text, joined.log);
  return slot;
}

void RelayServer::arm_vhost_poll(std::uint32_t slot) {
  if (handover_) return;  // the socket's next messages are the new relay's to read
  Connection& c = *conns_[slot];
  if (!ring_.poll(c.fd.get(), POLLIN, encode_op(OpKind::vhost_socket, c.generation, slot)))
    return begin_close(slot, "submission queue exhausted");
  ++c.ops_in_flight;
  c.vhost_poll_armed = true;
}

void RelayServer::arm_kick(std::uint32_t slot, std::uint32_t queue) {
  if (handover_) return;  // a read here would take a kick meant for the new relay
  Connection& c = *conns_[slot];
  const int fd = c.vhost->kick_fd(queue);
  if (fd < 0 || c.kick_armed[queue]) return;
  const std::uint32_t field = vhost_kick_slot(slot, queue, c.kick_serial[queue]);
  if (!ring_.read(fd, &c.kick_value[queue], sizeof(c.kick_value[queue]),
                  encode_op(OpKind::vhost_kick, c.generation, field)))
    return begin_close(slot, "submission queue exhausted");
  ++c.ops_in_flight;
  c.kick_armed[queue] = true;
}

void RelayServer::cancel_kicks(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  for (std::uint32_t q = 0; q < vhost::kHwsimQueueCount; ++q) {
    if (!c.kick_armed[q]) continue;
    const std::uint32_t field = vhost_kick_slot(slot, q, c.kick_serial[q]);
    ring_.cancel(encode_op(OpKind::vhost_kick, c.generation, field),
                 encode_op(OpKind::cancel, 0, 0));
    // The read's completion (cancelled or not) still arrives and is counted then; a new
    // serial makes it stale.
    c.kick_serial[q] = (c.kick_serial[q] + 1) & 0x7ffu;
    c.kick_armed[q] = false;
  }
}

void RelayServer::on_vhost_socket(std::uint32_t slot, int res) {
  Connection& c = *conns_[slot];
  c.vhost_poll_armed = false;
  if (c.state == ConnState::closing || handover_) return;
  if (res < 0) return begin_close(slot, fmt::format("socket poll failed: {}", std::strerror(-res)));
  const VhostEvents events = c.vhost->on_readable(c.fd.get());
  if (!events.error.empty()) return begin_close(slot, "vhost-user: " + events.error);
  if (events.closed) return begin_close(slot, "front end closed the socket");
  bool kicks_changed = false;
  for (bool changed : events.kick_changed) kicks_changed = kicks_changed || changed;
  if (kicks_changed) {
    // Old reads go (their eventfds may be closed or replaced); current fds are read anew.
    cancel_kicks(slot);
    for (std::uint32_t q = 0; q < vhost::kHwsimQueueCount; ++q) arm_kick(slot, q);
  }
  // Buffers made available before the kick fd arrived, or while the queue was disabled.
  if (kicks_changed || events.tx_ready) drain_vhost_tx(slot);
  if (events.rx_ready || events.tx_ready || kicks_changed) mark_dirty(slot);
  if (c.state == ConnState::open) arm_vhost_poll(slot);
}

void RelayServer::on_vhost_kick(std::uint32_t field, int res, std::uint32_t generation) {
  const KickTag tag = decode_kick_slot(field);
  if (tag.slot >= conns_.size()) return;
  Connection& c = *conns_[tag.slot];
  if (c.state == ConnState::free ||
      !is_current({OpKind::vhost_kick, generation, tag.slot}, c.generation))
    return;
  --c.ops_in_flight;
  const bool current = c.kick_serial[tag.queue] == tag.serial;
  if (current) c.kick_armed[tag.queue] = false;
  if (c.live() && current && !handover_) {
    if (res < 0 && res != -EINTR && res != -EAGAIN && res != -ECANCELED) {
      begin_close(tag.slot, fmt::format("kick eventfd read failed: {}", std::strerror(-res)));
    } else {
      if (tag.queue == vhost::kHwsimQueueTx) drain_vhost_tx(tag.slot);
      mark_dirty(tag.slot);  // TX: local statuses wait; RX: new buffers for pending messages
      if (c.live()) arm_kick(tag.slot, tag.queue);
    }
  }
  release_if_idle(tag.slot);
}

void RelayServer::drain_vhost_tx(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  const bool ok = c.vhost->drain_tx([&](std::span<const std::uint8_t> message, bool) {
    ++c.frames_in;
    ++frames_in_total_;
    c.bytes_in += message.size();
    carry_out(slot, message, router_->route({slot, message, medium_time_us(), true}));
  });
  if (!ok) begin_close(slot, "guest broke its queue: " + c.vhost->fault());
}

bool RelayServer::deliver_vhost(Connection& c, std::span<const std::uint8_t> message,
                                std::int8_t power_dbm) {
  if (!c.vhost->deliver(message, power_dbm)) {
    ++c.frames_dropped;
    ++c.dropped_since_log;
    return false;
  }
  ++c.frames_out;
  c.bytes_out += message.size();
  return true;
}

void RelayServer::flush_vhost(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  if (!c.vhost->flush_rx()) begin_close(slot, "guest broke its queue: " + c.vhost->fault());
}

std::string RelayServer::vhost_close_detail(const Connection& c) const {
  if (!c.vhost) return {};
  const vhost::GuestCounters& g = c.vhost->guest().counters();
  const VhostCounters& v = c.vhost->counters();
  return fmt::format(
      "; radios {}, TX malformed {}, RX dropped (queue full) {}, RX buffer too "
      "small {}",
      c.vhost->guest().radios().size(), g.tx_malformed, v.rx_dropped_full, v.rx_too_small);
}

}  // namespace vmesh::relay
