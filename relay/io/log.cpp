#include "relay/io/log.hpp"

#include <time.h>

#include <cstdio>

namespace vmesh::relay {

std::int64_t monotonic_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::uint64_t monotonic_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000 +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000;
}

void log_line(std::string_view message) {
  static const std::int64_t start_ms = monotonic_ms();
  const double elapsed_s = static_cast<double>(monotonic_ms() - start_ms) / 1000.0;
  const std::string line = fmt::format("[{:9.3f}] vmesh-relay: {}\n", elapsed_s, message);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace vmesh::relay
