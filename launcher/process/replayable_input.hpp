// A copy of a piped input that can be given, whole, to several commands one after another
// (`vmesh exec --all` feeds every node the same standard input).
#pragma once

#include <cstddef>
#include <utility>

#include "base/common/unique_fd.hpp"

namespace vmesh::launcher {

inline constexpr std::size_t kMaxReplayableInputBytes = 64u << 20;

class ReplayableInput {
 public:
  // Reads `fd` to its end into an anonymous in-memory file. Throws std::runtime_error when
  // the input is larger than `max_bytes` (saying so) or cannot be read.
  static ReplayableInput copy_of(int fd, std::size_t max_bytes = kMaxReplayableInputBytes);

  // The copy, positioned at its start: each call rewinds it for the next reader.
  int rewound_fd();
  std::size_t size_bytes() const { return size_bytes_; }

 private:
  ReplayableInput(UniqueFd fd, std::size_t size_bytes)
      : fd_(std::move(fd)), size_bytes_(size_bytes) {}
  UniqueFd fd_;
  std::size_t size_bytes_;
};

}  // namespace vmesh::launcher
