// Exponential reconnect delay: initial, doubling, capped. Pure; time is the caller's.
#pragma once

#include <algorithm>
#include <chrono>

namespace vmesh::agent {

class Backoff {
 public:
  // ~1 s cap so a mesh recovers quickly after the relay restarts.
  explicit Backoff(std::chrono::milliseconds initial = std::chrono::milliseconds(50),
                   std::chrono::milliseconds cap = std::chrono::milliseconds(1000)) noexcept
      : initial_(initial), cap_(cap), next_(initial) {}

  // The delay to wait now; the following call returns twice as much, up to the cap.
  std::chrono::milliseconds next() noexcept {
    const auto delay = next_;
    next_ = std::min(cap_, next_ * 2);
    return delay;
  }
  // Back to the initial delay (after a connection that worked).
  void reset() noexcept { next_ = initial_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds cap_;
  std::chrono::milliseconds next_;
};

}  // namespace vmesh::agent
