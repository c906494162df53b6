// Thin RAII wrapper over one io_uring instance. The only file of the relay that calls
// liburing (ring.cpp): setup throws with the failing call's name; everything on the
// completion path is noexcept. Submissions are one-liners that say which operation they
// queue; each returns false when no submission entry is free even after submitting (the
// caller retries later or gives up on that connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

struct io_uring;

namespace vmesh::relay {

// One completion as the kernel reported it.
struct Completion {
  std::uint64_t user_data = 0;
  int res = 0;         // result or -errno
  unsigned flags = 0;  // IORING_CQE_F_*
  // A multishot operation stays armed after this completion (IORING_CQE_F_MORE).
  bool more() const noexcept;
};

class Ring {
 public:
  // io_uring_queue_init_params with SINGLE_ISSUER|DEFER_TASKRUN where the kernel has them
  // (fewer context switches), falling back to plain setup. Throws std::system_error.
  Ring(unsigned sq_entries, unsigned cq_entries);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // io_uring_prep_multishot_accept (SOCK_CLOEXEC on every accepted socket).
  bool accept_multishot(int listen_fd, std::uint64_t user_data) noexcept;
  // io_uring_prep_recv into [buffer, buffer + bytes).
  bool recv(int fd, std::uint8_t* buffer, std::size_t bytes, std::uint64_t user_data) noexcept;
  // io_uring_prep_send with MSG_NOSIGNAL (a vanished receiver costs -EPIPE, not SIGPIPE).
  bool send(int fd, const std::uint8_t* data, std::size_t bytes, std::uint64_t user_data) noexcept;
  // io_uring_prep_read at the file position (offset -1).
  bool read(int fd, void* buffer, std::size_t bytes, std::uint64_t user_data) noexcept;
  // io_uring_prep_write at the file position (offset -1; O_APPEND keeps it at the end).
  bool write(int fd, const void* data, std::size_t bytes, std::uint64_t user_data) noexcept;
  // io_uring_prep_poll_add (one-shot) for `events` (POLLIN, ...): completes with the
  // revents, or with POLLHUP when the socket is shut down.
  bool poll(int fd, unsigned events, std::uint64_t user_data) noexcept;
  // io_uring_prep_cancel64: cancels the operation submitted with `target`; its completion
  // (-ECANCELED, or its own result if it won the race) still arrives.
  bool cancel(std::uint64_t target, std::uint64_t user_data) noexcept;
  // io_uring_prep_nop: completes with res 0 (tests, wake-ups).
  bool nop(std::uint64_t user_data) noexcept;

  // io_uring_submit. Returns the number submitted or -errno.
  int submit() noexcept;
  // io_uring_submit_and_wait_timeout: submits and waits for one completion or the timeout.
  // Returns 0, -ETIME on timeout, -EINTR, or another negative errno.
  int submit_and_wait(std::int64_t timeout_ns) noexcept;
  // Submits, then spins (io_uring_get_events, no sleep) for up to budget_ns until a
  // completion is ready. True if one is. Trades a core for not paying a wake-up.
  bool spin_for_completion(std::int64_t budget_ns) noexcept;

  // Calls fn(const Completion&) for every completion ready now, then advances the
  // completion queue once for the whole batch. Returns how many there were. fn must not
  // throw; it may queue new submissions.
  template <typename Fn>
  unsigned for_each_completion(Fn&& fn) noexcept {
    return visit_completions(
        [](void* context, const Completion& c) { (*static_cast<Fn*>(context))(c); }, &fn);
  }

 private:
  unsigned visit_completions(void (*visit)(void*, const Completion&), void* context) noexcept;

  std::unique_ptr<io_uring> ring_;
};

}  // namespace vmesh::relay
