// How vwifi names a connected peer ("CID"): the guest CID for VSOCK, a hash of the peer's
// IPv4 address (plus its source port with -u) for TCP. Reproduced exactly so vwifi-ctrl
// commands that name a CID mean the same peer here.
#pragma once

#include <cstdint>

namespace vmesh::relay {

using PeerId = std::uint32_t;

// How a peer reached the relay; VSOCK peers are guests named by their CID.
enum class Transport : std::uint8_t { tcp, vsock, unix_socket, unknown };

// vwifi rejects coordinate changes for ids below this (CIDs 0-2 are reserved in VSOCK).
inline constexpr PeerId kMinGuestPeerId = 3;

// `ipv4_network_order` and `port_network_order` are sockaddr_in's sin_addr.s_addr and
// sin_port exactly as accept() filled them. For peer a.b.c.d: a + 256*(b + c + d); with
// use_port, the raw sin_port (network order read as a host u16) is added, as vwifi does.
PeerId tcp_peer_id(std::uint32_t ipv4_network_order, std::uint16_t port_network_order,
                   bool use_port) noexcept;

}  // namespace vmesh::relay
