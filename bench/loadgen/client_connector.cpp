#include "bench/loadgen/client_connector.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace vmesh::bench {

namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

bool resolve(const std::string& host, std::uint16_t port, sockaddr_in& out, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_INET;  // vwifi relays listen on IPv4
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0 || list == nullptr) {
    error = fmt::format("cannot resolve '{}': {}", host, gai_strerror(rc));
    return false;
  }
  std::memcpy(&out, list->ai_addr, sizeof(out));
  out.sin_port = htons(port);
  freeaddrinfo(list);
  return true;
}

void set_int_option(int fd, int level, int name, int value) {
  // Best effort: the kernel caps buffer sizes at net.core.{r,w}mem_max.
  (void)setsockopt(fd, level, name, &value, sizeof(value));
}

}  // namespace

in_addr client_source_address(std::uint32_t index) {
  const std::uint32_t sum = 10 + index;
  const std::uint32_t d = std::min<std::uint32_t>(sum, 254);
  const std::uint32_t c = std::min<std::uint32_t>(sum - d, 255);
  const std::uint32_t b = sum - d - c;
  in_addr addr{};
  addr.s_addr = htonl((127u << 24) | (b << 16) | (c << 8) | d);
  return addr;
}

bool uses_source_ips(const LoadConfig& config) {
  switch (config.source_ips) {
    case SourceIps::on:
      return true;
    case SourceIps::off:
      return false;
    case SourceIps::automatic:
      return is_loopback_host(config.host);
  }
  return false;
}

ConnectOutcome connect_clients(const LoadConfig& config) {
  ConnectOutcome outcome;
  outcome.sockets.resize(config.clients);
  auto record_failure = [&](std::uint32_t index, std::string what) {
    ++outcome.failures;
    if (outcome.first_error.empty()) {
      outcome.first_error = fmt::format("client {}: {}", index, what);
    }
    outcome.sockets[index].reset();
  };

  sockaddr_in target{};
  std::string resolve_error;
  if (!resolve(config.host, config.port, target, resolve_error)) {
    outcome.failures = config.clients;
    outcome.first_error = resolve_error;
    outcome.sockets.clear();
    outcome.sockets.resize(config.clients);
    return outcome;
  }
  const std::string target_text = fmt::format("{}:{}", config.host, config.port);
  const bool bind_source = uses_source_ips(config);

  std::vector<pollfd> pending;
  std::vector<std::uint32_t> pending_index;
  for (std::uint32_t i = 0; i < config.clients; ++i) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
      record_failure(i, "socket: " + errno_text(errno));
      continue;
    }
    set_int_option(fd.get(), SOL_SOCKET, SO_RCVBUF, config.socket_buffer_bytes);
    set_int_option(fd.get(), SOL_SOCKET, SO_SNDBUF, config.socket_buffer_bytes);
    // Every write is a whole batch; Nagle would only add delay in latency mode.
    set_int_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1);
    if (bind_source) {
      sockaddr_in source{};
      source.sin_family = AF_INET;
      source.sin_addr = client_source_address(i);
      if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&source), sizeof(source)) != 0) {
        char text[INET_ADDRSTRLEN] = {};
        inet_ntop(AF_INET, &source.sin_addr, text, sizeof(text));
        record_failure(i, fmt::format("bind {}: {}", text, errno_text(errno)));
        continue;
      }
    }
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&target), sizeof(target)) != 0 &&
        errno != EINPROGRESS) {
      record_failure(i, fmt::format("connect {}: {}", target_text, errno_text(errno)));
      continue;
    }
    pending.push_back(pollfd{fd.get(), POLLOUT, 0});
    pending_index.push_back(i);
    outcome.sockets[i] = std::move(fd);
  }

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(config.connect_timeout_s));
  std::size_t open = pending.size();
  while (open > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    const int ready = poll(pending.data(), pending.size(), static_cast<int>(left));
    if (ready < 0 && errno != EINTR) break;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      if (pending[k].fd < 0 || pending[k].revents == 0) continue;
      int error = 0;
      socklen_t length = sizeof(error);
      getsockopt(pending[k].fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        record_failure(pending_index[k],
                       fmt::format("connect {}: {}", target_text, errno_text(error)));
      }
      pending[k].fd = -1;  // poll(2) ignores negative descriptors
      --open;
    }
  }
  for (std::size_t k = 0; k < pending.size(); ++k) {
    if (pending[k].fd >= 0) {
      record_failure(pending_index[k], fmt::format("connect {}: timed out", target_text));
    }
  }
  return outcome;
}

}  // namespace vmesh::bench
