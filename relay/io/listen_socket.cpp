#include "relay/io/listen_socket.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
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

UniqueFd listen_unix(const std::string& path, int type, int backlog) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    throw std::system_error(
        ENAMETOOLONG, std::system_category(),
        fmt::format("socket path '{}' (1-{} bytes)", path, sizeof(addr.sun_path) - 1));
  }
  path.copy(addr.sun_path, path.size());
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    // A socket left by a relay that did not exit cleanly is replaced; anything else at the
    // path is somebody's file and stays.
    if (!S_ISSOCK(existing.st_mode)) {
      throw std::system_error(EEXIST, std::system_category(),
                              "socket path " + path + " exists and is not a socket");
    }
    if (::unlink(path.c_str()) < 0) fail("unlink stale socket " + path);
  }
  UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
  if (!fd) fail("socket(AF_UNIX)");
  // bind() creates the file with 0777 & ~umask: with umask 077 it is born 0600, so there is
  // no moment in which another user could connect. (fchmod on the socket descriptor would
  // not reach the file.)
  const mode_t old_mask = ::umask(077);
  const int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  const int bind_errno = errno;
  ::umask(old_mask);
  if (rc < 0) {
    errno = bind_errno;
    fail("bind " + path);
  }
  if (::chmod(path.c_str(), 0600) < 0) fail("chmod 0600 " + path);
  struct stat made {};
  if (::lstat(path.c_str(), &made) < 0) fail("stat " + path);
  if (!S_ISSOCK(made.st_mode) || (made.st_mode & 07777) != 0600 || made.st_uid != ::geteuid()) {
    ::unlink(path.c_str());
    throw std::system_error(EPERM, std::system_category(),
                            "socket " + path + " is not an owner-only socket");
  }
  if (::listen(fd.get(), backlog) < 0) fail("listen " + path);
  return fd;
}

UnixSocketInfo describe_unix_socket(int fd) {
  UnixSocketInfo info;
  int domain = 0;
  int type = 0;
  int listening = 0;
  socklen_t len = sizeof(int);
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX) return info;
  len = sizeof(int);
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM) return info;
  len = sizeof(int);
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0) return info;
  info.unix_stream = true;
  info.listening = listening != 0;
  sockaddr_un addr{};
  socklen_t addr_len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) == 0 &&
      addr_len > offsetof(sockaddr_un, sun_path) && addr.sun_path[0] != '\0')
    info.path.assign(addr.sun_path, ::strnlen(addr.sun_path, sizeof(addr.sun_path)));
  return info;
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
            fmt::format("{}:{}", text, ntohs(in->sin_port)), Transport::tcp};
  }
  if (addr.ss_family == AF_VSOCK) {
    const auto* vm = reinterpret_cast<const sockaddr_vm*>(&addr);
    return {vm->svm_cid, fmt::format("vsock:{}", vm->svm_cid), Transport::vsock};
  }
  if (addr.ss_family == AF_UNIX) return {0, "unix", Transport::unix_socket};
  return {0, "unknown"};
}

void set_no_delay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace vmesh::relay
