// vmesh-relay: a vwifi-compatible frame relay for mac80211_hwsim guests.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "relay/io/log.hpp"
#include "relay/io/relay_options.hpp"
#include "relay/io/relay_server.hpp"

int main(int argc, char** argv) {
  using namespace vmesh::relay;
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto options = parse_relay_options(args);
    if (!options) return 0;
    RelayServer server(*options);
    return server.run();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "vmesh-relay: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    logf("fatal: {}", e.what());
    return 1;
  }
}
