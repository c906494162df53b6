// Per-connection state of the relay: the socket, the receive buffer that reassembles
// messages from any split of the stream, and the bounded two-buffer send queue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "base/wire/wire_format.hpp"
#include "relay/io/listen_socket.hpp"
#include "relay/io/vhost_session.hpp"

namespace vmesh::relay {

// client/spy: peers of the medium. control: vwifi-ctrl's binary orders (TCP).
// command: vmesh's text commands (the owner-only Unix socket). metrics: GET /metrics.
// vhost: a QEMU front end on a node's vhost-user socket (the guest's hwsim, no agent).
enum class ConnKind : std::uint8_t { client, spy, control, command, metrics, vhost };

const char* to_string(ConnKind kind);

// Clients and spies are peers of the medium; control, command and metrics connections ask.
inline bool is_peer(ConnKind kind) {
  return kind == ConnKind::client || kind == ConnKind::spy || kind == ConnKind::vhost;
}

// The life of a connection slot.
enum class ConnState : std::uint8_t {
  free,      // not in use (on the free list)
  open,      // receiving and sending
  working,   // a command's answer is being prepared off the loop (reload); nothing is read
  replying,  // the reply is queued; closes once it is sent
  closing,   // shut down; the slot is freed once the kernel returned every buffer
};

// The TX-status extension on this connection.
enum class TxStatusMode : std::uint8_t {
  none,     // a plain vwifi peer
  offered,  // accepted on the TX-status port: the hello was queued
  on,       // the agent answered the hello; its unicast frames get the medium's verdict
};

// Holds the largest message twice over, so a full message always fits behind a partial one.
inline constexpr std::size_t kRxBufferBytes = 2 * wire::kMaxWireMessageBytes;

struct Connection {
  UniqueFd fd;
  ConnKind kind = ConnKind::client;
  ConnState state = ConnState::free;
  TxStatusMode tx_status = TxStatusMode::none;
  std::uint32_t generation = 0;
  int ops_in_flight = 0;  // the slot is freed only when this drops to 0 after closing
  PeerAddress peer;
  std::int64_t opened_ms = 0;

  // Receive side.
  std::unique_ptr<std::uint8_t[]> rx;
  std::size_t rx_len = 0;
  std::int64_t partial_since_ms = -1;  // when the current half message started waiting

  // Send side: `queued` fills during a loop turn; `sending` is owned by the kernel while a
  // send is in flight (non-empty exactly then). Two buffers keep the in-flight bytes
  // stable without copying.
  std::vector<std::uint8_t> queued;
  std::vector<std::uint8_t> sending;
  std::size_t sent = 0;
  std::int64_t last_send_progress_ms = 0;
  bool on_flush_list = false;  // queued for this turn's flush (dirty list membership)

  // vhost-user front ends: the session, and per queue the eventfd read in flight (its
  // 8-byte target lives here, where it outlives the session) and its serial.
  std::unique_ptr<VhostSession> vhost;
  std::uint64_t kick_value[vhost::kHwsimQueueCount] = {};
  std::uint32_t kick_serial[vhost::kHwsimQueueCount] = {};
  bool kick_armed[vhost::kHwsimQueueCount] = {};
  bool vhost_poll_armed = false;

  // Counters.
  std::uint64_t frames_in = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t frames_out = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t frames_dropped = 0;
  std::uint64_t dropped_since_log = 0;

  // In use and not closing: completions and frames still count.
  bool live() const { return state != ConnState::free && state != ConnState::closing; }
  bool send_in_flight() const { return !sending.empty(); }
};

}  // namespace vmesh::relay
