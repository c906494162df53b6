// A blocking loopback client that speaks the vwifi stream, for relay tests.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vmesh::test {

class TestPeer {
 public:
  // Connects to 127.0.0.1:port, binding the source address first when given (each
  // 127.0.0.x source is a distinct vwifi id). `rcvbuf_bytes` > 0 shrinks SO_RCVBUF.
  TestPeer(std::uint16_t port, const std::string& source_ip = "", int rcvbuf_bytes = 0);
  ~TestPeer();
  TestPeer(TestPeer&& other) noexcept;
  TestPeer(const TestPeer&) = delete;
  TestPeer& operator=(const TestPeer&) = delete;

  void send_bytes(std::span<const std::uint8_t> bytes) const;
  // The next whole message (power byte first), or nullopt after timeout_ms / on EOF.
  std::optional<std::vector<std::uint8_t>> receive(int timeout_ms);
  // True if the relay closed the connection within timeout_ms (EOF or reset), reading
  // and discarding anything still queued.
  bool wait_closed(int timeout_ms);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::vector<std::uint8_t> pending_;
};

// One control order: connect, send, read the reply until the relay closes.
std::vector<std::uint8_t> control_exchange(std::uint16_t port,
                                           std::span<const std::uint8_t> request);

// One text command on the relay's Unix control socket at `path`: connect, send `line`,
// read the reply until the relay closes. Throws if connecting fails or no reply comes.
std::string command_exchange(const std::string& path, const std::string& line);

// A FRAME message from transmitter 42:00:00:00:<index>:00 with `payload` as the frame.
std::vector<std::uint8_t> make_frame(std::uint8_t index, std::int8_t power_dbm,
                                     std::span<const std::uint8_t> payload,
                                     std::uint32_t freq_mhz = 2412);

}  // namespace vmesh::test
