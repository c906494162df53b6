// vmesh-relay: a vwifi-compatible frame relay for mac80211_hwsim guests.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "medium/topology_parser.hpp"
#include "medium/topology_summary.hpp"
#include "relay/io/log.hpp"
#include "relay/io/relay_options.hpp"
#include "relay/io/relay_server.hpp"

int main(int argc, char** argv) {
  using namespace vmesh::relay;
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto options = parse_relay_options(args);
    if (!options) return 0;
    if (!options->check_topology_file.empty()) {
      try {
        const auto topology = vmesh::medium::load_topology_file(options->check_topology_file);
        std::fputs(vmesh::medium::summarize_topology(topology).c_str(), stdout);
        return 0;
      } catch (const vmesh::medium::TopologyError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
      }
    }
    RelayServer server(*options);
    return server.run();
  } catch (const vmesh::medium::TopologyError& e) {
    std::fprintf(stderr, "vmesh-relay: %s\n", e.what());
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "vmesh-relay: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    logf("fatal: {}", e.what());
    return 1;
  }
}
