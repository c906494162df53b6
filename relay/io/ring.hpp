// Thin RAII wrapper over one io_uring instance (liburing). Setup throws with the failing
// call's name; everything on the completion path is noexcept.
#pragma once

#include <liburing.h>

#include <cstdint>

namespace vmesh::relay {

class Ring {
 public:
  // io_uring_queue_init_params with SINGLE_ISSUER|DEFER_TASKRUN where the kernel has them
  // (fewer context switches), falling back to plain setup. Throws std::system_error.
  Ring(unsigned sq_entries, unsigned cq_entries);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // A free submission entry, submitting queued ones first if the SQ is full.
  // Returns nullptr only if the kernel refuses to take any (then the caller retries later).
  io_uring_sqe* sqe() noexcept;
  // io_uring_submit_and_wait_timeout: submits and waits for one completion or the timeout.
  // Returns 0, -ETIME on timeout, -EINTR, or another negative errno.
  int submit_and_wait(std::int64_t timeout_ns) noexcept;
  int submit() noexcept { return io_uring_submit(&ring_); }
  // Submits, then spins (io_uring_get_events, no sleep) for up to budget_ns until a
  // completion is ready. True if one is. Trades a core for not paying a wake-up.
  bool spin_for_completion(std::int64_t budget_ns) noexcept;
  io_uring* raw() noexcept { return &ring_; }

 private:
  io_uring ring_{};
};

}  // namespace vmesh::relay
