// Seconds on the steady clock since a point, for the run's phase and action timings.
#pragma once

#include <chrono>

namespace vmesh::launcher {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace vmesh::launcher
