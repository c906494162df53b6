// How a vmesh guest's radios reach the relay: chosen by `--relay-transport` or the topology's
// `[medium] transport`, carried out by the planner (launcher/plan) and the guest init.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vmesh::launcher {

// serial: the guest's vmesh-agent talks over a virtio-serial port whose host end QEMU connects
// to the relay's TCP port (no guest TCP stack, no user-mode network emulation in the path).
// tcp: the agent connects through user-mode networking to 10.0.2.2, as a vwifi-client in a
// stock image does. vhost_user: no agent; mac80211_hwsim's own virtio transport (virtio id 29)
// on QEMU's vhost-user-test-device-pci, whose back end is the relay (QEMU >= 10.2).
enum class RelayTransport : std::uint8_t { serial, tcp, vhost_user };

// "serial", "tcp", "vhost-user"; nullopt for any other word. Never throws.
std::optional<RelayTransport> parse_relay_transport(std::string_view name);
// The word parse_relay_transport reads.
const char* relay_transport_name(RelayTransport transport);
// The words, for error messages: "serial, tcp or vhost-user".
const char* relay_transport_names();

}  // namespace vmesh::launcher
