#include "relay/agent/agent_loop.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "base/wire/wire_format.hpp"
#include "relay/agent/netlink_protocol.hpp"

namespace vmesh::agent {

namespace {

// One receive slot holds the largest message the wire format allows plus the headers.
constexpr std::size_t kSlotBytes = wire::kMaxNlmsgLen + 64;
// Rounds of recvmmsg() per wakeup before the relay side gets its turn.
constexpr int kMaxKernelRounds = 8;

}  // namespace

AgentLoop::AgentLoop(int kernel_fd, FramePipeline& pipeline, RelayLink& relay, LogFn log)
    : kernel_fd_(kernel_fd), pipeline_(pipeline), relay_(relay), log_(std::move(log)) {
  recv_buf_.resize(kSlotBytes * kRecvSlots);
  msgs_.resize(kRecvSlots);
  iovs_.resize(kRecvSlots);
  kernel_out_.reserve(kKernelBatchBytes + 2 * kSlotBytes);
}

void AgentLoop::run(const std::atomic<bool>& stop) {
  while (!stop.load(std::memory_order_relaxed)) run_once(200);
}

void AgentLoop::run_once(int max_wait_ms) {
  Clock::time_point now = Clock::now();
  relay_.maintain(now);
  pollfd fds[2] = {{kernel_fd_, POLLIN, 0}, {relay_.fd(), relay_.poll_events(), 0}};
  int timeout = relay_.timeout_ms(now);
  if (timeout < 0 || timeout > max_wait_ms) timeout = max_wait_ms;
  const nfds_t nfds = relay_.fd() >= 0 ? 2 : 1;
  const int ready = ::poll(fds, nfds, timeout);
  if (ready < 0) return;  // EINTR: the caller re-checks its stop flag
  ++counters_.wakeups;
  now = Clock::now();
  if (nfds == 2) relay_.on_events(fds[1].revents, now);
  note_relay_loss();
  if ((fds[0].revents & (POLLIN | POLLERR)) != 0) drain_kernel(now);
  drain_relay(now);
  // Frames for the relay go first: the TX statuses in kernel_out_ make the kernel run its
  // status path (rate control, queue wake) inside send(), which the receiving VM need not
  // wait for.
  relay_.flush(now);
  flush_kernel();
}

void AgentLoop::note_relay_loss() {
  if (relay_.counters().disconnects == disconnects_seen_) return;
  disconnects_seen_ = relay_.counters().disconnects;
  const std::size_t waiting = pipeline_.on_relay_lost(kernel_out_);
  if (waiting > 0) {
    log_(std::to_string(waiting) +
         " frames were waiting for the relay's TX status: reported as not acknowledged");
  }
}

void AgentLoop::drain_kernel(Clock::time_point now) {
  (void)now;
  for (int round = 0; round < kMaxKernelRounds; ++round) {
    for (unsigned i = 0; i < kRecvSlots; ++i) {
      iovs_[i] = {recv_buf_.data() + i * kSlotBytes, kSlotBytes};
      msgs_[i] = {};
      msgs_[i].msg_hdr.msg_iov = &iovs_[i];
      msgs_[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::recvmmsg(kernel_fd_, msgs_.data(), kRecvSlots, MSG_DONTWAIT, nullptr);
    ++counters_.kernel_recv_calls;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        // The kernel dropped messages for us (receive buffer overrun). Frames are lost, as
        // on a congested channel; the socket keeps working.
        if (counters_.enobufs++ == 0)
          log_("hwsim socket overrun (ENOBUFS): frames lost; further overruns are counted");
        continue;
      }
      return;  // EAGAIN: drained
    }
    for (int i = 0; i < n; ++i) {
      const mmsghdr& m = msgs_[static_cast<std::size_t>(i)];
      ++counters_.kernel_messages;
      if ((m.msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        ++counters_.truncated;
        continue;
      }
      const auto datagram = std::span<const std::uint8_t>(recv_buf_).subspan(
          static_cast<std::size_t>(i) * kSlotBytes, m.msg_len);
      for_each_netlink_message(datagram, [&](const NetlinkView& view) {
        std::vector<std::uint8_t>* relay_out = relay_.output();
        const KernelEvent event = pipeline_.on_kernel_message(view.bytes, relay_out, kernel_out_);
        if (event.kind == KernelEventKind::frame && relay_out == nullptr) ++counters_.relay_dropped;
        note_kernel_event(event);
        if (kernel_out_.size() >= kKernelBatchBytes) flush_kernel();
      });
    }
    if (static_cast<unsigned>(n) < kRecvSlots) return;  // fewer than asked: the queue is empty
  }
}

void AgentLoop::note_kernel_event(const KernelEvent& event) {
  if (event.learned_radio) {
    const auto& radio = pipeline_.radios()[*event.learned_radio];
    log_("radio " + std::to_string(*event.learned_radio) + " (perm " + radio.perm_addr.to_string() +
         ") transmits as " + radio.hwsim_addr.to_string());
  }
  if (event.kind == KernelEventKind::error) {
    const int errnum = -event.error;
    if (std::find(logged_errors_.begin(), logged_errors_.end(), errnum) == logged_errors_.end()) {
      logged_errors_.push_back(errnum);
      log_(std::string("kernel rejected a message: ") + std::strerror(errnum) +
           " (e.g. a frame for a radio that is down); further rejections are counted");
    }
  }
}

void AgentLoop::drain_relay(Clock::time_point now) {
  for (;;) {
    const auto message = relay_.next_message(now);
    if (message.empty()) break;
    const RelayEventKind kind = pipeline_.on_relay_message(message, relay_.output(), kernel_out_);
    if (kind == RelayEventKind::tx_status_on) {
      log_("relay offers TX status: accepted, the medium acknowledges our unicast frames");
    }
    if (kernel_out_.size() >= kKernelBatchBytes) flush_kernel();
  }
  relay_.compact_input();
}

void AgentLoop::flush_kernel() {
  if (kernel_out_.empty()) return;
  // genetlink's receive path (netlink_rcv_skb) walks every message in one skb, so a whole
  // batch costs one syscall. A refused message only produces an error ack for itself.
  for (;;) {
    const ssize_t n = ::send(kernel_fd_, kernel_out_.data(), kernel_out_.size(), MSG_DONTWAIT);
    ++counters_.kernel_send_calls;
    if (n >= 0) {
      counters_.kernel_bytes_out += static_cast<std::uint64_t>(n);
      break;
    }
    if (errno == EINTR) continue;
    if (counters_.kernel_send_errors++ == 0) {
      log_(std::string("sending to the hwsim socket failed: ") + std::strerror(errno) +
           "; batch dropped, further failures are counted");
    }
    break;
  }
  kernel_out_.clear();
}

std::string AgentLoop::stats_line() const {
  const PipelineCounters& p = pipeline_.counters();
  const LinkCounters& l = relay_.counters();
  const LoopCounters& c = counters_;
  return "stats: kernel_frames=" + std::to_string(p.kernel_frames) +
         " to_relay=" + std::to_string(p.relay_out_frames) +
         " relay_dropped=" + std::to_string(c.relay_dropped) +
         " tx_status=" + std::to_string(p.tx_status) +
         " medium_statuses=" + std::to_string(p.medium_statuses) +
         " unanswered=" + std::to_string(p.unanswered) +
         " local_forwards=" + std::to_string(p.local_forwards) +
         " from_relay=" + std::to_string(p.relay_in_frames) +
         " rx_delivered=" + std::to_string(p.rx_delivered) +
         " kernel_errors=" + std::to_string(p.kernel_errors) +
         " enobufs=" + std::to_string(c.enobufs) + " wakeups=" + std::to_string(c.wakeups) +
         " kernel_recv_calls=" + std::to_string(c.kernel_recv_calls) +
         " kernel_send_calls=" + std::to_string(c.kernel_send_calls) +
         " relay_sends=" + std::to_string(l.sends) + " relay_recvs=" + std::to_string(l.recvs) +
         " connects=" + std::to_string(l.connects) +
         " disconnects=" + std::to_string(l.disconnects);
}

}  // namespace vmesh::agent
