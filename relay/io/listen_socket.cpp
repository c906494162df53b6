#include "relay/io/listen_socket.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <system_error>

namespace vmesh::relay {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::system_category(), what);
}

}  // namespace

UniqueFd listen_tcp(const std::string& ipv4_address, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, ipv4_address.c_str(), &addr.sin_addr) != 1) {
    throw std::system_error(EINVAL, std::system_category(), "invalid IPv4 address " + ipv4_address);
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) fail("socket(AF_INET)");
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  const std::string where = fmt::format("{}:{}", ipv4_address, port);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) < 0)
    fail("bind " + where);
  if (::listen(fd.get(), SOMAXCONN) < 0) fail("listen " + where);
  return fd;
}

UniqueFd listen_vsock(std::uint32_t port) {
  UniqueFd fd(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) fail("socket(AF_VSOCK)");
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = VMADDR_CID_ANY;
  addr.svm_port = port == 0 ? VMADDR_PORT_ANY : port;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) < 0) {
    fail(fmt::format("bind vsock port {}", port));
  }
  if (::listen(fd.get(), SOMAXCONN) < 0) fail(fmt::format("listen vsock port {}", port));
  return fd;
}

std::uint16_t bound_port(int listen_fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_VSOCK) {
    return static_cast<std::uint16_t>(reinterpret_cast<sockaddr_vm*>(&addr)->svm_port);
  }
  return 0;
}

PeerAddress describe_peer(int fd, bool use_port_in_hash) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return {0, "unknown"};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    return {tcp_peer_id(in->sin_addr.s_addr, in->sin_port, use_port_in_hash),
            fmt::format("{}:{}", text, ntohs(in->sin_port))};
  }
  if (addr.ss_family == AF_VSOCK) {
    const auto* vm = reinterpret_cast<const sockaddr_vm*>(&addr);
    return {vm->svm_cid, fmt::format("vsock:{}", vm->svm_cid)};
  }
  return {0, "unknown"};
}

void set_no_delay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace vmesh::relay
