#include "test_peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include "base/wire/message_builder.hpp"
#include "base/wire/message_decoder.hpp"

namespace vmesh::test {

namespace {

sockaddr_in loopback(std::uint16_t port, const char* ip = "127.0.0.1") {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

}  // namespace

TestPeer::TestPeer(std::uint16_t port, const std::string& source_ip, int rcvbuf_bytes) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  if (rcvbuf_bytes > 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes, sizeof(rcvbuf_bytes));
  if (!source_ip.empty()) {
    const sockaddr_in src = loopback(0, source_ip.c_str());
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&src), sizeof(src)) < 0) {
      throw std::runtime_error("bind " + source_ip + " failed");
    }
  }
  const sockaddr_in dst = loopback(port);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&dst), sizeof(dst)) < 0) {
    throw std::runtime_error("connect to port " + std::to_string(port) + " failed");
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

TestPeer::~TestPeer() {
  if (fd_ >= 0) ::close(fd_);
}

TestPeer::TestPeer(TestPeer&& other) noexcept
    : fd_(other.fd_), pending_(std::move(other.pending_)) {
  other.fd_ = -1;
}

void TestPeer::send_bytes(std::span<const std::uint8_t> bytes) const {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("send failed");
    }
    at += static_cast<std::size_t>(n);
  }
}

std::optional<std::vector<std::uint8_t>> TestPeer::receive(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const wire::DecodeResult r = wire::decode_message(pending_);
    if (r.status == wire::DecodeStatus::malformed)
      throw std::runtime_error("relay sent a malformed message");
    if (r.status == wire::DecodeStatus::complete) {
      std::vector<std::uint8_t> msg(pending_.begin(),
                                    pending_.begin() + static_cast<long>(r.wire_bytes));
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(r.wire_bytes));
      return msg;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    std::uint8_t buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return std::nullopt;
    pending_.insert(pending_.end(), buf, buf + n);
  }
}

bool TestPeer::wait_closed(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    std::uint8_t buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
  }
}

std::vector<std::uint8_t> control_exchange(std::uint16_t port,
                                           std::span<const std::uint8_t> request) {
  TestPeer peer(port);
  peer.send_bytes(request);
  std::vector<std::uint8_t> reply;
  while (true) {
    pollfd p{peer.fd(), POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) throw std::runtime_error("control reply timed out");
    std::uint8_t buf[4096];
    const ssize_t n = ::recv(peer.fd(), buf, sizeof(buf), 0);
    if (n <= 0) return reply;
    reply.insert(reply.end(), buf, buf + n);
  }
}

std::string command_exchange(const std::string& path, const std::string& line) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket(AF_UNIX) failed");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) < 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error("connect " + path + ": " + std::strerror(err));
  }
  std::string reply;
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
    while (true) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      reply.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return reply;
}

std::vector<std::uint8_t> make_frame(std::uint8_t index, std::int8_t power_dbm,
                                     std::span<const std::uint8_t> payload,
                                     std::uint32_t freq_mhz) {
  std::vector<std::uint8_t> out;
  wire::MessageBuilder b(out, power_dbm, wire::HwsimCmd::frame,
                         {.type = 33, .flags = 0, .seq = index, .pid = 0});
  wire::MacAddress tx;
  tx.bytes = {0x42, 0, 0, 0, index, 0};
  b.put_mac(wire::HwsimAttr::addr_transmitter, tx);
  b.put(wire::HwsimAttr::frame, payload);
  b.put_u32(wire::HwsimAttr::flags, wire::kHwsimTxCtlReqTxStatus);
  b.put_u64(wire::HwsimAttr::cookie, index);
  b.put_u32(wire::HwsimAttr::freq, freq_mhz);
  b.finish();
  return out;
}

}  // namespace vmesh::test
