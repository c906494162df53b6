// Appends lines to a file through the relay's io_uring, so the event loop never waits for
// the disk: a line is queued in memory and one write is in flight at a time. The kernel
// completes buffered file writes inline when it can and otherwise in its io-wq workers,
// never on the loop thread. If the disk falls more than kMaxPendingBytes behind, lines are
// dropped and counted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/common/unique_fd.hpp"
#include "relay/io/ring.hpp"

namespace vmesh::relay {

class JsonlAppender {
 public:
  static constexpr std::size_t kMaxPendingBytes = 4u << 20;

  // Opens `path` for appending (created 0644 if missing). Throws std::system_error naming it.
  explicit JsonlAppender(const std::string& path);

  // Queues `line` plus '\n'. False (and counted) when too much is already waiting.
  bool append(std::string_view line);
  // Submits a write of what is queued unless one is in flight; tags it with user_data.
  void submit(Ring& ring, std::uint64_t user_data);
  // The result of the write submitted last: bytes written or -errno. A short write keeps
  // the rest for the next submit; an error drops the batch and is remembered.
  void on_write_done(int res);
  // Writes what is queued with plain write(2) (at exit, after the last completion).
  void flush_blocking();

  bool write_in_flight() const { return in_flight_; }
  std::uint64_t dropped_lines() const { return dropped_lines_; }
  int last_error() const { return last_error_; }  // errno of the last failed write, or 0
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  UniqueFd fd_;
  std::string queued_;   // lines not yet handed to the kernel
  std::string writing_;  // owned by the kernel while in_flight_
  std::size_t written_ = 0;
  bool in_flight_ = false;
  std::uint64_t dropped_lines_ = 0;
  int last_error_ = 0;
};

}  // namespace vmesh::relay
