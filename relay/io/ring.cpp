#include "relay/io/ring.hpp"

#include <liburing.h>
#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <system_error>

namespace vmesh::relay {

bool Completion::more() const noexcept {
  return (flags & IORING_CQE_F_MORE) != 0;
}

namespace {

// A free submission entry, submitting queued ones first if the SQ is full; nullptr only if
// the kernel refuses to take any.
io_uring_sqe* next_sqe(io_uring* ring) noexcept {
  io_uring_sqe* entry = io_uring_get_sqe(ring);
  if (entry != nullptr) return entry;
  io_uring_submit(ring);
  return io_uring_get_sqe(ring);
}

}  // namespace

Ring::Ring(unsigned sq_entries, unsigned cq_entries) : ring_(std::make_unique<io_uring>()) {
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
    rc = io_uring_queue_init_params(sq_entries, ring_.get(), &params);
    if (rc != -EINVAL) break;  // EINVAL: this kernel lacks a flag; try fewer
  }
  if (rc < 0) throw std::system_error(-rc, std::system_category(), "io_uring_queue_init_params");
}

Ring::~Ring() {
  io_uring_queue_exit(ring_.get());
}

bool Ring::accept_multishot(int listen_fd, std::uint64_t user_data) noexcept {
  io_uring_sqe* sqe = next_sqe(ring_.get());
  if (sqe == nullptr) return false;
  io_uring_prep_multishot_accept(sqe, listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, user_data);
  return true;
}

bool Ring::recv(int fd, std::uint8_t* buffer, std::size_t bytes, std::uint64_t user_data) noexcept {
  io_uring_sqe* sqe = next_sqe(ring_.get());
  if (sqe == nullptr) return false;
  io_uring_prep_recv(sqe, fd, buffer, bytes, 0);
  io_uring_sqe_set_data64(sqe, user_data);
  return true;
}

bool Ring::send(int fd, const std::uint8_t* data, std::size_t bytes,
                std::uint64_t user_data) noexcept {
  io_uring_sqe* sqe = next_sqe(ring_.get());
  if (sqe == nullptr) return false;
  io_uring_prep_send(sqe, fd, data, bytes, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, user_data);
  return true;
}

bool Ring::read(int fd, void* buffer, std::size_t bytes, std::uint64_t user_data) noexcept {
  io_uring_sqe* sqe = next_sqe(ring_.get());
  if (sqe == nullptr) return false;
  io_uring_prep_read(sqe, fd, buffer, static_cast<unsigned>(bytes), static_cast<__u64>(-1));
  io_uring_sqe_set_data64(sqe, user_data);
  return true;
}

bool Ring::write(int fd, const void* data, std::size_t bytes, std::uint64_t user_data) noexcept {
  io_uring_sqe* sqe = next_sqe(ring_.get());
  if (sqe == nullptr) return false;
  io_uring_prep_write(sqe, fd, data, static_cast<unsigned>(bytes), static_cast<__u64>(-1));
  io_uring_sqe_set_data64(sqe, user_data);
  return true;
}

bool Ring::poll(int fd, unsigned events, std::uint64_t user_data) noexcept {
  io_uring_sqe* sqe = next_sqe(ring_.get());
  if (sqe == nullptr) return false;
  io_uring_prep_poll_add(sqe, fd, events);
  io_uring_sqe_set_data64(sqe, user_data);
  return true;
}

bool Ring::cancel(std::uint64_t target, std::uint64_t user_data) noexcept {
  io_uring_sqe* sqe = next_sqe(ring_.get());
  if (sqe == nullptr) return false;
  io_uring_prep_cancel64(sqe, target, 0);
  io_uring_sqe_set_data64(sqe, user_data);
  return true;
}

bool Ring::nop(std::uint64_t user_data) noexcept {
  io_uring_sqe* sqe = next_sqe(ring_.get());
  if (sqe == nullptr) return false;
  io_uring_prep_nop(sqe);
  io_uring_sqe_set_data64(sqe, user_data);
  return true;
}

int Ring::submit() noexcept {
  return io_uring_submit(ring_.get());
}

bool Ring::spin_for_completion(std::int64_t budget_ns) noexcept {
  io_uring_submit(ring_.get());
  timespec start{};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (io_uring_cq_ready(ring_.get()) > 0) return true;
    io_uring_get_events(ring_.get());  // runs deferred completions without waiting
    if (io_uring_cq_ready(ring_.get()) > 0) return true;
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
  const int rc = io_uring_submit_and_wait_timeout(ring_.get(), &cqe, 1, &ts, nullptr);
  return rc < 0 ? rc : 0;
}

unsigned Ring::visit_completions(void (*visit)(void*, const Completion&), void* context) noexcept {
  unsigned head = 0;
  unsigned seen = 0;
  io_uring_cqe* cqe = nullptr;
  io_uring_for_each_cqe(ring_.get(), head, cqe) {
    visit(context, Completion{cqe->user_data, cqe->res, cqe->flags});
    ++seen;
  }
  // Once per batch: the kernel may reuse these entries only after the advance.
  io_uring_cq_advance(ring_.get(), seen);
  return seen;
}

}  // namespace vmesh::relay
