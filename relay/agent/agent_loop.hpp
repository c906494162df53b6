// The agent's event loop: one poll() over the hwsim socket and the relay connection, then
// all the work that wakeup revealed, batched: every pending kernel message is read with
// recvmmsg(), everything for the relay goes out in one send(), everything for the kernel
// in as few sendmsg() calls as the batch limit allows.
//
// The kernel side is any datagram socket that carries netlink messages: the real hwsim
// generic-netlink socket (connected to the kernel, so plain send() reaches it) or, in
// tests, one end of a SOCK_SEQPACKET socketpair playing the kernel.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "relay/agent/frame_pipeline.hpp"
#include "relay/agent/relay_link.hpp"

namespace vmesh::agent {

struct LoopCounters {
  std::uint64_t wakeups = 0;
  std::uint64_t kernel_recv_calls = 0;  // recvmmsg() calls
  std::uint64_t kernel_messages = 0;    // datagrams read from the kernel
  std::uint64_t kernel_send_calls = 0;  // sendmsg() calls
  std::uint64_t kernel_bytes_out = 0;
  std::uint64_t kernel_send_errors = 0;  // batches the kernel refused as a whole
  std::uint64_t enobufs = 0;             // kernel messages lost because our socket overran
  std::uint64_t truncated = 0;           // kernel messages larger than a receive slot
  std::uint64_t relay_dropped = 0;       // frames not sent: relay down or too far behind
};

class AgentLoop {
 public:
  // Kernel messages per sendmsg(): large enough to amortise the syscall, small enough to
  // stay a cheap allocation in netlink_sendmsg().
  static constexpr std::size_t kKernelBatchBytes = 16 * 1024;
  static constexpr unsigned kRecvSlots = 32;

  // Borrows kernel_fd, pipeline and relay; all must outlive the loop. kernel_fd should be
  // nonblocking. No throws except allocation.
  AgentLoop(int kernel_fd, FramePipeline& pipeline, RelayLink& relay, LogFn log);

  // Waits up to max_wait_ms (less if a reconnect is due) and handles what happened.
  void run_once(int max_wait_ms);
  // Runs until `stop` becomes true (checked at least every 200 ms).
  void run(const std::atomic<bool>& stop);

  const LoopCounters& counters() const noexcept { return counters_; }
  // One line with the pipeline, link and loop counters.
  std::string stats_line() const;

 private:
  void drain_kernel(Clock::time_point now);
  void drain_relay(Clock::time_point now);
  void flush_kernel();
  void note_kernel_event(const KernelEvent& event);
  // After a disconnect: frames awaiting the relay's TX status are answered here.
  void note_relay_loss();

  int kernel_fd_;
  FramePipeline& pipeline_;
  RelayLink& relay_;
  LogFn log_;
  std::vector<std::uint8_t> recv_buf_;
  std::vector<mmsghdr> msgs_;
  std::vector<iovec> iovs_;
  std::vector<std::uint8_t> kernel_out_;
  LoopCounters counters_;
  std::vector<int> logged_errors_;  // errnos already reported once
  std::uint64_t disconnects_seen_ = 0;
};

}  // namespace vmesh::agent
