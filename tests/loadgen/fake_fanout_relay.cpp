#include "tests/loadgen/fake_fanout_relay.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>
#include <system_error>

#include "base/wire/message_decoder.hpp"

namespace vmesh::bench::testing {

namespace {

// Blocking write of all bytes; false if the peer is gone.
bool write_all(int fd, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

FakeFanoutRelay::FakeFanoutRelay(FakeRelayOptions options) : options_(options) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(options_.port);
  if (bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 64) != 0) {
    const int error = errno;
    close(listen_fd_);
    throw std::system_error(error, std::generic_category(), "bind/listen");
  }
  socklen_t length = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeFanoutRelay::~FakeFanoutRelay() {
  stop();
}

void FakeFanoutRelay::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  listen_fd_ = -1;
}

std::vector<std::string> FakeFanoutRelay::peer_addresses() const {
  if (!accepted_all_) return {};
  return peers_;
}

void FakeFanoutRelay::serve() {
  std::vector<int> fds;
  while (!stop_ && fds.size() < options_.clients) {
    pollfd listener{listen_fd_, POLLIN, 0};
    if (poll(&listener, 1, 50) <= 0) continue;
    sockaddr_in peer{};
    socklen_t length = sizeof(peer);
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
    if (fd < 0) continue;
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &peer.sin_addr, text, sizeof(text));
    peers_.emplace_back(text);
    fds.push_back(fd);
  }
  accepted_all_ = true;

  std::vector<std::vector<std::uint8_t>> buffers(fds.size(), std::vector<std::uint8_t>(256 * 1024));
  std::vector<std::size_t> filled(fds.size(), 0);
  std::vector<pollfd> polls;
  for (const int fd : fds) polls.push_back(pollfd{fd, POLLIN, 0});
  std::uint64_t to_last = 0;

  while (!stop_) {
    if (poll(polls.data(), polls.size(), 50) <= 0) continue;
    for (std::size_t from = 0; from < polls.size(); ++from) {
      if (polls[from].fd < 0 || polls[from].revents == 0) continue;
      auto& buffer = buffers[from];
      const ssize_t n =
          recv(polls[from].fd, buffer.data() + filled[from], buffer.size() - filled[from], 0);
      if (n <= 0) {
        polls[from].fd = -1;  // client gone: stop polling it, keep the fd until the end
        continue;
      }
      filled[from] += static_cast<std::size_t>(n);
      // Find the complete messages at the front of the buffer.
      std::size_t offset = 0;
      std::uint64_t count = 0;
      std::vector<std::size_t> ends;
      while (true) {
        const auto decoded = wire::decode_message(
            std::span<const std::uint8_t>(buffer.data() + offset, filled[from] - offset));
        if (decoded.status != wire::DecodeStatus::complete) break;
        offset += decoded.wire_bytes;
        ends.push_back(offset);
        ++count;
      }
      messages_in_ += count;
      for (std::size_t to = 0; to < fds.size(); ++to) {
        if (to == from && !options_.echo_to_sender) continue;
        if (options_.drop_every_nth == 0 || to != fds.size() - 1) {
          write_all(fds[to], std::span<const std::uint8_t>(buffer.data(), offset));
          continue;
        }
        std::size_t begin = 0;
        for (const std::size_t end : ends) {
          if (++to_last % options_.drop_every_nth == 0) {
            ++messages_dropped_;
          } else {
            write_all(fds[to], std::span<const std::uint8_t>(buffer.data() + begin, end - begin));
          }
          begin = end;
        }
      }
      std::memmove(buffer.data(), buffer.data() + offset, filled[from] - offset);
      filled[from] -= offset;
    }
  }
  for (const int fd : fds) close(fd);
}

}  // namespace vmesh::bench::testing
