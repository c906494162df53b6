// Per-connection state of the relay: the socket, the receive buffer that reassembles
// messages from any split of the stream, and the bounded two-buffer send queue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "relay/io/listen_socket.hpp"
#include "base/common/unique_fd.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::relay {

enum class ConnKind : std::uint8_t { client, spy, control, metrics };

const char* to_string(ConnKind kind);

// Clients and spies are peers of the medium; control and metrics connections only ask.
inline bool is_peer(ConnKind kind) {
  return kind == ConnKind::client || kind == ConnKind::spy;
}

// Holds the largest message twice over, so a full message always fits behind a partial one.
inline constexpr std::size_t kRxBufferBytes = 2 * wire::kMaxWireMessageBytes;

struct Connection {
  UniqueFd fd;
  ConnKind kind = ConnKind::client;
  std::uint32_t generation = 0;
  bool in_use = false;
  bool closing = false;
  int ops_in_flight = 0;  // the slot is reused only when this drops to 0 after closing
  PeerAddress peer;
  std::int64_t opened_ms = 0;
  // TX-status extension: accepted on that port (a hello was queued), and the agent's hello
  // arrived, so every later unicast frame of it gets the medium's verdict back.
  bool tx_status_port = false;
  bool tx_status_on = false;

  // Receive side.
  std::unique_ptr<std::uint8_t[]> rx;
  std::size_t rx_len = 0;
  std::int64_t partial_since_ms = -1;  // when the current half message started waiting

  // Send side: `queued` fills during a loop turn; `sending` is owned by the kernel while a
  // send is in flight. Two buffers keep the in-flight bytes stable without copying.
  std::vector<std::uint8_t> queued;
  std::vector<std::uint8_t> sending;
  std::size_t sent = 0;
  bool send_armed = false;
  bool dirty = false;
  bool close_after_send = false;
  std::int64_t last_send_progress_ms = 0;

  // Counters.
  std::uint64_t frames_in = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t frames_out = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t frames_dropped = 0;
  std::uint64_t dropped_since_log = 0;
};

}  // namespace vmesh::relay
