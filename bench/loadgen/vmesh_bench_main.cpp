// vmesh-bench: load generators for vmesh. `vmesh-bench relay` plays N vwifi clients
// against a vwifi-compatible relay and prints one JSON line with the results.
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "bench/loadgen/load_config.hpp"
#include "bench/loadgen/load_generator.hpp"

namespace {

constexpr int kExitUsage = 64;
constexpr int kExitConnect = 2;

int run_relay(std::vector<std::string_view> args) {
  using namespace vmesh::bench;
  const ParsedLoadArgs parsed = parse_load_args(args);
  if (parsed.help) {
    fmt::print("{}", load_usage());
    return 0;
  }
  if (!parsed.config) {
    fmt::print(stderr, "vmesh-bench relay: {}\n{}", parsed.error, load_usage());
    return kExitUsage;
  }
  LoadGenerator generator(*parsed.config);
  const LoadReport report = generator.run();
  fmt::print("{}\n", report.to_json());
  std::fflush(stdout);
  if (report.connect_failures > 0) {
    fmt::print(stderr, "vmesh-bench relay: cannot connect to {}: {} of {} clients failed ({})\n",
               report.target, report.connect_failures, report.clients, generator.connect_error());
    return kExitConnect;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    fmt::print("usage: vmesh-bench relay [options]   (vmesh-bench relay --help for options)\n");
    return args.empty() ? kExitUsage : 0;
  }
  if (args[0] != "relay") {
    fmt::print(stderr, "vmesh-bench: unknown subcommand '{}' (known: relay)\n", args[0]);
    return kExitUsage;
  }
  try {
    return run_relay({args.begin() + 1, args.end()});
  } catch (const std::exception& error) {
    fmt::print(stderr, "vmesh-bench relay: {}\n", error.what());
    return 1;
  }
}
