#include "launcher/scenario/relay_transport.hpp"

namespace vmesh::launcher {

std::optional<RelayTransport> parse_relay_transport(std::string_view name) {
  for (auto transport : {RelayTransport::serial, RelayTransport::tcp, RelayTransport::vhost_user}) {
    if (name == relay_transport_name(transport)) return transport;
  }
  return std::nullopt;
}

const char* relay_transport_name(RelayTransport transport) {
  switch (transport) {
    case RelayTransport::serial:
      return "serial";
    case RelayTransport::tcp:
      return "tcp";
    case RelayTransport::vhost_user:
      return "vhost-user";
  }
  return "serial";
}

const char* relay_transport_names() {
  return "serial, tcp or vhost-user";
}

}  // namespace vmesh::launcher
