// Listening sockets for the relay's ports and the identity of accepted peers.
#pragma once

#include <cstdint>
#include <string>

#include "relay/core/peer_identity.hpp"
#include "base/common/unique_fd.hpp"

namespace vmesh::relay {

// socket/bind/listen on an IPv4 address (SO_REUSEADDR). Port 0 picks a free port.
// Throws std::system_error naming the failing call and the address.
UniqueFd listen_tcp(const std::string& ipv4_address, std::uint16_t port);

// AF_VSOCK listener on VMADDR_CID_ANY. Throws std::system_error when the host has no
// vsock transport (the caller logs it once and carries on).
UniqueFd listen_vsock(std::uint32_t port);

// The port a listening socket is bound to.
std::uint16_t bound_port(int listen_fd);

struct PeerAddress {
  PeerId id = 0;
  std::string text;  // "127.0.0.1:40312" or "vsock:5"
};

// Identity of an accepted socket, derived as vwifi does (see peer_identity.hpp).
PeerAddress describe_peer(int fd, bool use_port_in_hash);

// TCP_NODELAY: frames are latency-sensitive and already batched by the relay.
void set_no_delay(int fd);

}  // namespace vmesh::relay
