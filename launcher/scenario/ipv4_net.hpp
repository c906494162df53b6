// IPv4 addresses and subnets as written in an [image] table ("10.13.0.1", "10.13.0.0/16").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmesh::launcher {

struct Ipv4Net {
  std::uint32_t network = 0;  // host byte order, host bits cleared
  int prefix_len = 0;
  bool contains(std::uint32_t address) const;
  // QEMU user-mode networking puts the host (gateway) at the subnet's second address.
  std::uint32_t user_mode_host() const { return network + 2; }
};

// "10.13.0.1" -> host byte order; nullopt unless four decimal octets 0..255.
std::optional<std::uint32_t> parse_ipv4(std::string_view text);
// "10.13.0.0/16" (host bits may be set) -> the subnet; prefix 8..30. nullopt otherwise.
std::optional<Ipv4Net> parse_ipv4_net(std::string_view text);
std::string format_ipv4(std::uint32_t address);

}  // namespace vmesh::launcher
