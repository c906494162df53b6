#include "relay/agent/agent_options.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace vmesh::agent {

namespace {

template <typename T>
bool parse_int(std::string_view text, T& out, long long lo, long long hi) {
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < lo || value > hi)
    return false;
  out = static_cast<T>(value);
  return true;
}

// "02:00:00:00:01" (five octets) or a whole address whose first five octets are used.
bool parse_prefix(std::string_view text, std::array<std::uint8_t, 5>& out) {
  if (auto full = wire::MacAddress::parse(text)) {
    std::copy_n(full->bytes.begin(), 5, out.begin());
    return true;
  }
  if (auto padded = wire::MacAddress::parse(std::string(text) + ":00")) {
    std::copy_n(padded->bytes.begin(), 5, out.begin());
    return true;
  }
  return false;
}

}  // namespace

ParsedOptions parse_options(std::span<const std::string_view> args) {
  AgentOptions o;
  bool port_given = false;
  bool host_given = false;
  bool vsock = false;
  bool serial = false;
  auto fail = [](std::string msg) { return ParsedOptions{std::nullopt, std::move(msg)}; };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto value = [&](std::string_view& v) {
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    std::string_view v;
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "--version" || a == "-v") {
      o.version = true;
    } else if (a == "--vsock") {
      o.relay.transport = Transport::vsock;
      vsock = true;
    } else if (a == "--serial") {
      if (!value(v) || v.empty() || v[0] != '/')
        return fail("--serial needs the absolute path of a virtio-serial port, e.g. /dev/vport1p1");
      o.relay.transport = Transport::serial;
      o.relay.device = std::string(v);
      serial = true;
    } else if (a == "-p" || a == "--port") {
      if (!value(v) || !parse_int(v, o.relay.port, 1, 65535))
        return fail("-p needs a port number 1..65535");
      port_given = true;
    } else if (a == "-n" || a == "--radios") {
      if (!value(v) || !parse_int(v, o.radios, 1, kMaxRadios))
        return fail("-n needs a radio count 1..64");
    } else if (a == "-m" || a == "--mac-prefix") {
      if (!value(v) || !parse_prefix(v, o.mac_prefix))
        return fail("-m needs a MAC prefix like 02:00:00:00:01");
    } else if (a == "-t" || a == "--tx-power") {
      if (!value(v) || !parse_int(v, o.tx_power_dbm, -128, 127))
        return fail("-t needs a TX power in dBm -128..127");
    } else if (!a.empty() && a[0] == '-') {
      return fail("unknown option " + std::string(a));
    } else if (!host_given) {
      in_addr probe{};
      if (::inet_pton(AF_INET, std::string(a).c_str(), &probe) != 1) {
        return fail("server address must be an IPv4 address: " + std::string(a));
      }
      o.relay.host = std::string(a);
      host_given = true;
    } else {
      return fail("more than one server address given");
    }
  }
  if (vsock && serial) return fail("--vsock and --serial exclude each other");
  if (vsock && host_given)
    return fail("--vsock connects to the host (CID 2); do not give a server address");
  if (serial && (host_given || port_given))
    return fail("--serial talks through the port's host end; do not give an address or port");
  if (vsock && !port_given) o.relay.port = kDefaultVsockPort;
  if (!vsock && !port_given) o.relay.port = kDefaultTcpPort;
  return ParsedOptions{o, {}};
}

std::vector<wire::MacAddress> radio_addresses(const AgentOptions& options) {
  std::vector<wire::MacAddress> out;
  for (int r = 0; r < options.radios; ++r) {
    wire::MacAddress mac;
    std::copy(options.mac_prefix.begin(), options.mac_prefix.end(), mac.bytes.begin());
    mac.bytes[5] = static_cast<std::uint8_t>(r);
    out.push_back(mac);
  }
  return out;
}

std::string usage() {
  return "usage: vmesh-agent [-p PORT] [-n RADIOS] [-m MAC_PREFIX] [-t TX_POWER_DBM] "
         "[--vsock | --serial DEVICE] [SERVER_IP]\n"
         "       vmesh-agent --version | -h\n"
         "Guest end of the vmesh relay (vwifi-compatible): creates mac80211_hwsim radios, "
         "registers\n"
         "as their medium and forwards frames to and from the relay.\n"
         "  SERVER_IP        relay address over TCP (default 10.0.2.2, QEMU user-mode host)\n"
         "  -p PORT          relay port (default 8212 TCP, 8211 VSOCK)\n"
         "  --vsock          connect over VSOCK to CID 2 instead of TCP\n"
         "  --serial DEVICE  use a virtio-serial port (e.g. /dev/vport1p1) whose host end\n"
         "                   QEMU connects to the relay (-chardev socket)\n"
         "  -n RADIOS        radios to create (default 1)\n"
         "  -m MAC_PREFIX    first five octets of the radios' addresses (default 02:00:00:00:01);\n"
         "                   radio r gets MAC_PREFIX:<r as two hex digits>\n"
         "  -t TX_POWER_DBM  power byte sent with every frame (default 10)\n"
         "The module must be loaded with radios=0 (modprobe mac80211_hwsim radios=0).\n";
}

}  // namespace vmesh::agent
