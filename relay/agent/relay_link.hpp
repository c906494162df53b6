// The agent's client connection to the relay (TCP, VSOCK or a virtio-serial port): nonblocking
// connect, reconnect with backoff, an input buffer that yields whole wire messages across any
// split of the stream, and an output buffer written with one send() per flush.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "relay/agent/backoff.hpp"

namespace vmesh::agent {

using Clock = std::chrono::steady_clock;
using LogFn = std::function<void(std::string_view)>;

enum class Transport : std::uint8_t {
  tcp,
  vsock,
  // A virtio-serial port whose host end QEMU connects to the relay's TCP port
  // (-chardev socket): the byte stream is the same, but the guest's TCP stack and QEMU's
  // user-mode network emulation are out of the path.
  serial,
};

struct RelayEndpoint {
  Transport transport = Transport::tcp;
  std::string host = "10.0.2.2";  // TCP: IPv4 address
  std::uint16_t port = 8212;      // TCP port, or VSOCK port (8211)
  std::uint32_t cid = 2;          // VSOCK: the host
  std::string device;             // serial: the port's device, e.g. /dev/vport1p1
  std::string describe() const;
};

enum class LinkState : std::uint8_t { waiting, connecting, connected };

struct LinkCounters {
  std::uint64_t connects = 0;
  std::uint64_t disconnects = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t sends = 0;
  std::uint64_t recvs = 0;
  std::uint64_t malformed = 0;  // connections dropped for a malformed message
};

class RelayLink {
 public:
  // Pending output above this is not accepted: frames are dropped, as on a busy channel.
  static constexpr std::size_t kMaxPendingOutBytes = 1 << 20;

  RelayLink(RelayEndpoint endpoint, LogFn log, Backoff backoff = Backoff());

  // Starts a connect attempt if waiting and the backoff delay has passed. No throws.
  void maintain(Clock::time_point now);
  // Handles poll() results for fd(): connect completion, hang-up, reads. After this, whole
  // messages are available through next_message(). No throws.
  void on_events(short revents, Clock::time_point now);

  // The next whole, valid message in the input, or an empty span. A malformed message
  // drops the connection (the stream cannot be resynchronised). Spans stay valid until
  // compact_input().
  std::span<const std::uint8_t> next_message(Clock::time_point now);
  // Moves a partial message to the front of the input buffer.
  void compact_input() noexcept;

  // Where to append outgoing messages, or nullptr when not connected or too far behind.
  std::vector<std::uint8_t>* output() noexcept;
  // One send() of everything pending (MSG_NOSIGNAL); the rest waits for POLLOUT.
  void flush(Clock::time_point now);

  int fd() const noexcept { return fd_.get(); }
  short poll_events() const noexcept;
  // Milliseconds until maintain() has work to do, -1 if none.
  int timeout_ms(Clock::time_point now) const noexcept;
  LinkState state() const noexcept { return state_; }
  const LinkCounters& counters() const noexcept { return counters_; }

 private:
  void start_connect(Clock::time_point now);
  void open_serial(Clock::time_point now);
  ssize_t read_some(std::uint8_t* data, std::size_t size) noexcept;
  ssize_t write_some(const std::uint8_t* data, std::size_t size) noexcept;
  void connected(Clock::time_point now);
  void fail(std::string_view what, int error, Clock::time_point now);
  void drop(std::string_view why, Clock::time_point now);
  void read_available(Clock::time_point now);

  RelayEndpoint endpoint_;
  LogFn log_;
  Backoff backoff_;
  UniqueFd fd_;
  LinkState state_ = LinkState::waiting;
  Clock::time_point next_attempt_{};
  Clock::time_point connected_at_{};
  int last_error_ = 0;          // last connect error logged, to log each streak once
  std::uint64_t attempts_ = 0;  // attempts since the last connection
  std::vector<std::uint8_t> in_;
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  std::vector<std::uint8_t> out_;
  std::size_t out_sent_ = 0;
  LinkCounters counters_;
};

}  // namespace vmesh::agent
