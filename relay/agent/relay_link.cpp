#include "relay/agent/relay_link.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/wire/message_decoder.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::agent {

namespace {

constexpr std::size_t kInBufferBytes = 256 * 1024;
// A connection that lived this long resets the backoff; shorter ones keep backing off.
constexpr auto kStableConnection = std::chrono::seconds(1);

}  // namespace

std::string RelayEndpoint::describe() const {
  if (transport == Transport::serial) return "serial " + device;
  if (transport == Transport::vsock)
    return "vsock " + std::to_string(cid) + ":" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

RelayLink::RelayLink(RelayEndpoint endpoint, LogFn log, Backoff backoff)
    : endpoint_(std::move(endpoint)), log_(std::move(log)), backoff_(backoff) {
  in_.resize(kInBufferBytes);
  out_.reserve(kMaxPendingOutBytes + wire::kMaxWireMessageBytes);
}

void RelayLink::maintain(Clock::time_point now) {
  if (state_ == LinkState::waiting && now >= next_attempt_) start_connect(now);
}

void RelayLink::start_connect(Clock::time_point now) {
  ++attempts_;
  if (endpoint_.transport == Transport::serial) return open_serial(now);
  const bool vsock = endpoint_.transport == Transport::vsock;
  const int family = vsock ? AF_VSOCK : AF_INET;
  fd_.reset(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_) return fail("socket", errno, now);
  int rc = 0;
  if (vsock) {
    sockaddr_vm addr{};
    addr.svm_family = AF_VSOCK;
    addr.svm_cid = endpoint_.cid;
    addr.svm_port = endpoint_.port;
    rc = ::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  } else {
    // Frames are small and latency-bound; never let Nagle hold one back.
    const int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(endpoint_.port);
    if (::inet_pton(AF_INET, endpoint_.host.c_str(), &addr.sin_addr) != 1)
      return fail("address", EINVAL, now);
    rc = ::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  }
  if (rc == 0) return connected(now);
  if (errno == EINPROGRESS) {
    state_ = LinkState::connecting;
    return;
  }
  fail("connect", errno, now);
}

// A virtio-serial port opens whether or not its host end is connected; until QEMU has a
// connection to the relay, poll() reports POLLHUP and read() returns 0. So "connected"
// means open and no hang-up; a hang-up later closes the port, which also discards any
// unread tail of the old connection's stream.
void RelayLink::open_serial(Clock::time_point now) {
  fd_.reset(::open(endpoint_.device.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd_) return fail("open", errno, now);
  pollfd probe{fd_.get(), POLLIN | POLLOUT, 0};
  if (::poll(&probe, 1, 0) < 0) return fail("poll", errno, now);
  if ((probe.revents & (POLLHUP | POLLERR)) != 0) return fail("host end", ENOTCONN, now);
  connected(now);
}

ssize_t RelayLink::read_some(std::uint8_t* data, std::size_t size) noexcept {
  if (endpoint_.transport == Transport::serial) return ::read(fd_.get(), data, size);
  return ::recv(fd_.get(), data, size, MSG_DONTWAIT);
}

ssize_t RelayLink::write_some(const std::uint8_t* data, std::size_t size) noexcept {
  if (endpoint_.transport == Transport::serial) return ::write(fd_.get(), data, size);
  return ::send(fd_.get(), data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void RelayLink::connected(Clock::time_point now) {
  state_ = LinkState::connected;
  connected_at_ = now;
  ++counters_.connects;
  in_begin_ = in_end_ = 0;
  out_.clear();
  out_sent_ = 0;
  log_("relay " + endpoint_.describe() + " connected (attempt " + std::to_string(attempts_) + ")");
  attempts_ = 0;
  last_error_ = 0;
}

void RelayLink::fail(std::string_view what, int error, Clock::time_point now) {
  fd_.reset();
  state_ = LinkState::waiting;
  const auto delay = backoff_.next();
  next_attempt_ = now + delay;
  if (error != last_error_) {
    log_("relay " + endpoint_.describe() + " " + std::string(what) +
         " failed: " + std::strerror(error) + "; retrying with backoff up to 1 s");
    last_error_ = error;
  }
}

void RelayLink::drop(std::string_view why, Clock::time_point now) {
  fd_.reset();
  ++counters_.disconnects;
  state_ = LinkState::waiting;
  if (now - connected_at_ >= kStableConnection) backoff_.reset();
  next_attempt_ = now + backoff_.next();
  in_begin_ = in_end_ = 0;
  out_.clear();
  out_sent_ = 0;
  last_error_ = 0;
  log_("relay " + endpoint_.describe() + " disconnected: " + std::string(why) + "; reconnecting");
}

void RelayLink::on_events(short revents, Clock::time_point now) {
  if (!fd_ || revents == 0) return;
  if (state_ == LinkState::connecting) {
    if ((revents & (POLLOUT | POLLERR | POLLHUP)) == 0) return;
    int error = 0;
    socklen_t len = sizeof(error);
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
    if (error != 0) return fail("connect", error, now);
    return connected(now);
  }
  if (state_ != LinkState::connected) return;
  if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) read_available(now);
  if (state_ == LinkState::connected && (revents & POLLOUT) != 0) flush(now);
}

void RelayLink::read_available(Clock::time_point now) {
  for (;;) {
    if (in_end_ == in_.size()) {
      if (in_begin_ == 0) return;  // full of whole messages; the caller drains them first
      compact_input();
    }
    const std::size_t room = in_.size() - in_end_;
    const ssize_t n = read_some(in_.data() + in_end_, room);
    ++counters_.recvs;
    if (n > 0) {
      in_end_ += static_cast<std::size_t>(n);
      counters_.bytes_in += static_cast<std::uint64_t>(n);
      // A short read emptied the socket buffer: no need for a recv() that says EAGAIN. A
      // serial port returns one virtqueue buffer (a page) per read, so there a short read
      // says nothing: drain it, to hand the pipeline one large batch per wakeup.
      if (static_cast<std::size_t>(n) < room && endpoint_.transport != Transport::serial) return;
      continue;
    }
    if (n == 0) return drop("closed by the relay", now);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    return drop(std::strerror(errno), now);
  }
}

std::span<const std::uint8_t> RelayLink::next_message(Clock::time_point now) {
  if (state_ != LinkState::connected || in_begin_ == in_end_) return {};
  const auto pending = std::span<const std::uint8_t>(in_).subspan(in_begin_, in_end_ - in_begin_);
  const wire::DecodeResult result = wire::decode_message(pending);
  if (result.status == wire::DecodeStatus::complete) {
    in_begin_ += result.wire_bytes;
    return pending.first(result.wire_bytes);
  }
  if (result.status == wire::DecodeStatus::malformed) {
    ++counters_.malformed;
    drop("malformed message from the relay: " + std::string(wire::describe(result.error)), now);
  }
  return {};
}

void RelayLink::compact_input() noexcept {
  if (in_begin_ == 0) return;
  const std::size_t remaining = in_end_ - in_begin_;
  if (remaining > 0) std::memmove(in_.data(), in_.data() + in_begin_, remaining);
  in_begin_ = 0;
  in_end_ = remaining;
}

std::vector<std::uint8_t>* RelayLink::output() noexcept {
  if (state_ != LinkState::connected) return nullptr;
  if (out_.size() - out_sent_ >= kMaxPendingOutBytes) return nullptr;
  if (out_sent_ > 0 && out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
  return &out_;
}

void RelayLink::flush(Clock::time_point now) {
  while (state_ == LinkState::connected && out_sent_ < out_.size()) {
    const ssize_t n = write_some(out_.data() + out_sent_, out_.size() - out_sent_);
    ++counters_.sends;
    if (n >= 0) {
      out_sent_ += static_cast<std::size_t>(n);
      counters_.bytes_out += static_cast<std::uint64_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    return drop(std::strerror(errno), now);
  }
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  } else if (out_sent_ > out_.size() / 2) {
    // Keep the unsent tail at the front so the buffer does not creep.
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_sent_));
    out_sent_ = 0;
  }
}

short RelayLink::poll_events() const noexcept {
  switch (state_) {
    case LinkState::connecting:
      return POLLOUT;
    case LinkState::connected:
      return static_cast<short>(POLLIN | (out_sent_ < out_.size() ? POLLOUT : 0));
    case LinkState::waiting:
      return 0;
  }
  return 0;
}

int RelayLink::timeout_ms(Clock::time_point now) const noexcept {
  if (state_ != LinkState::waiting) return -1;
  if (now >= next_attempt_) return 0;
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now).count() + 1;
  return static_cast<int>(left);
}

}  // namespace vmesh::agent
