// Command line of vmesh-agent, in the spirit of vwifi-client:
//   vmesh-agent [-p PORT] [-n RADIOS] [-m MAC_PREFIX] [-t TX_POWER] [--vsock] [SERVER_IP]
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/wire/mac_address.hpp"
#include "relay/agent/relay_link.hpp"

namespace vmesh::agent {

inline constexpr std::uint16_t kDefaultTcpPort = 8212;
inline constexpr std::uint16_t kDefaultVsockPort = 8211;
inline constexpr int kMaxRadios = 64;

struct AgentOptions {
  RelayEndpoint relay;
  int radios = 1;
  // First five octets of every radio's permanent address; the sixth is the radio index.
  std::array<std::uint8_t, 5> mac_prefix{0x02, 0x00, 0x00, 0x00, 0x01};
  std::int8_t tx_power_dbm = 10;
  bool help = false;
  bool version = false;
};

struct ParsedOptions {
  std::optional<AgentOptions> options;  // nullopt on error
  std::string error;
};

// Parses argv[1..]. Never throws; errors are returned as text.
ParsedOptions parse_options(std::span<const std::string_view> args);

// Permanent addresses: prefix + radio index (0-based), e.g. 02:00:00:00:01:00.
std::vector<wire::MacAddress> radio_addresses(const AgentOptions& options);

std::string usage();

}  // namespace vmesh::agent
