// vmesh_loadgen_fake_relay PORT CLIENTS: runs FakeFanoutRelay until killed (SIGTERM/SIGINT).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "tests/loadgen/fake_fanout_relay.hpp"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PORT CLIENTS\n", argv[0]);
    return 64;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  vmesh::bench::testing::FakeRelayOptions options;
  options.port = static_cast<std::uint16_t>(std::stoul(argv[1]));
  options.clients = static_cast<std::uint32_t>(std::stoul(argv[2]));
  vmesh::bench::testing::FakeFanoutRelay relay(options);
  std::fprintf(stderr, "fake relay on 127.0.0.1:%u for %u clients\n", relay.port(),
               options.clients);
  while (!g_stop) pause();
  return 0;
}
