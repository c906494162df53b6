#include "relay/core/peer_identity.hpp"

#include <cstring>

namespace vmesh::relay {

PeerId tcp_peer_id(std::uint32_t ipv4_network_order, std::uint16_t port_network_order,
                   bool use_port) noexcept {
  std::uint8_t octets[4];
  std::memcpy(octets, &ipv4_network_order, sizeof(octets));  // a.b.c.d in memory order
  PeerId id = octets[0] + 256u * (PeerId{octets[1]} + octets[2] + octets[3]);
  if (use_port) id += port_network_order;
  return id;
}

}  // namespace vmesh::relay
