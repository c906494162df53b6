// Opens the clients' TCP connections to the relay: nonblocking sockets with big buffers,
// each optionally bound to its own loopback source address first.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "bench/loadgen/load_config.hpp"

namespace vmesh::bench {

struct ConnectOutcome {
  std::vector<UniqueFd> sockets;  // one per client, in client order; invalid if it failed
  std::uint32_t failures = 0;
  std::string first_error;  // e.g. "client 0: connect 127.0.0.1:8212: Connection refused"
};

// Source address of client `index`: 127.0.0.(10+index) up to index 244; beyond, the sum of
// the last three bytes keeps growing so that vwifi's hash a+256*(b+c+d) stays distinct.
in_addr client_source_address(std::uint32_t index);

// Whether `config` asks for per-client source addresses (resolving "auto").
bool uses_source_ips(const LoadConfig& config);

// Connects config.clients sockets in parallel (connect(2) on nonblocking sockets, then
// poll(2) until connect_timeout_s). Never throws for network errors: they are counted.
ConnectOutcome connect_clients(const LoadConfig& config);

}  // namespace vmesh::bench
