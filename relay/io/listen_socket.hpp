// Listening sockets for the relay's ports and the identity of accepted peers.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "base/common/unique_fd.hpp"
#include "relay/core/peer_identity.hpp"

namespace vmesh::relay {

// socket/bind/listen on an IPv4 address (SO_REUSEADDR). Port 0 picks a free port.
// Throws std::system_error naming the failing call and the address.
UniqueFd listen_tcp(const std::string& ipv4_address, std::uint16_t port);

// AF_VSOCK listener on VMADDR_CID_ANY. Throws std::system_error when the host has no
// vsock transport (the caller logs it once and carries on).
UniqueFd listen_vsock(std::uint32_t port);

// AF_UNIX listener of `type` (SOCK_STREAM, SOCK_SEQPACKET) at `path`, owner-only: a stale
// socket file there is replaced (any other kind of file is refused), bind runs under umask
// 077 so the file is never more open than 0600, and the mode and owner are checked
// afterwards. The caller unlinks the path when done (SocketPath). Throws std::system_error
// naming the call and the path.
UniqueFd listen_unix(const std::string& path, int type = SOCK_STREAM, int backlog = SOMAXCONN);

// What a socket another process handed over is: an AF_UNIX stream socket or not,
// listening or not, and the path it is bound to (empty when it has none). No throws.
struct UnixSocketInfo {
  bool unix_stream = false;
  bool listening = false;
  std::string path;
};
UnixSocketInfo describe_unix_socket(int fd);

// The port a listening socket is bound to.
std::uint16_t bound_port(int listen_fd);

struct PeerAddress {
  PeerId id = 0;
  std::string text;  // for logs: "127.0.0.1:40312", "vsock:5", "unix"
  Transport transport = Transport::unknown;
};

// Identity of an accepted socket, derived as vwifi does (see peer_identity.hpp).
PeerAddress describe_peer(int fd, bool use_port_in_hash);

// TCP_NODELAY: frames are latency-sensitive and already batched by the relay.
void set_no_delay(int fd);

}  // namespace vmesh::relay
