// One-line logs on stderr, prefixed with seconds since start: "[   1.234] vmesh-relay: ...".
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace vmesh::relay {

void log_line(std::string_view message);

template <typename... Args>
void logf(fmt::format_string<Args...> format, Args&&... args) {
  log_line(fmt::format(format, std::forward<Args>(args)...));
}

// CLOCK_MONOTONIC in milliseconds and microseconds.
std::int64_t monotonic_ms();
std::uint64_t monotonic_us();

}  // namespace vmesh::relay
