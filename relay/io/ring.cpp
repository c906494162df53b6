#include "relay/io/ring.hpp"

#include <time.h>

#include <cerrno>
#include <system_error>

namespace vmesh::relay {

Ring::Ring(unsigned sq_entries, unsigned cq_entries) {
  const unsigned preferred[] = {
      IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
      IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN,
      IORING_SETUP_CQSIZE,
  };
  int rc = -EINVAL;
  for (unsigned flags : preferred) {
    io_uring_params params{};
    params.flags = flags;
    params.cq_entries = cq_entries;
    rc = io_uring_queue_init_params(sq_entries, &ring_, &params);
    if (rc != -EINVAL) break;  // EINVAL: this kernel lacks a flag; try fewer
  }
  if (rc < 0) throw std::system_error(-rc, std::system_category(), "io_uring_queue_init_params");
}

Ring::~Ring() {
  io_uring_queue_exit(&ring_);
}

io_uring_sqe* Ring::sqe() noexcept {
  io_uring_sqe* entry = io_uring_get_sqe(&ring_);
  if (entry != nullptr) return entry;
  io_uring_submit(&ring_);
  return io_uring_get_sqe(&ring_);
}

bool Ring::spin_for_completion(std::int64_t budget_ns) noexcept {
  io_uring_submit(&ring_);
  timespec start{};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (io_uring_cq_ready(&ring_) > 0) return true;
    io_uring_get_events(&ring_);  // runs deferred completions without waiting
    if (io_uring_cq_ready(&ring_) > 0) return true;
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const std::int64_t spent_ns =
        (now.tv_sec - start.tv_sec) * 1'000'000'000 + (now.tv_nsec - start.tv_nsec);
    if (spent_ns >= budget_ns) return false;
  }
}

int Ring::submit_and_wait(std::int64_t timeout_ns) noexcept {
  __kernel_timespec ts{};
  ts.tv_sec = timeout_ns / 1'000'000'000;
  ts.tv_nsec = timeout_ns % 1'000'000'000;
  io_uring_cqe* cqe = nullptr;
  const int rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
  return rc < 0 ? rc : 0;
}

}  // namespace vmesh::relay
