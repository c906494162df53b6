#include "relay/io/vhost_handover.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <variant>

#include "relay/io/log.hpp"
#include "relay/io/scm_rights.hpp"

namespace vmesh::relay {

namespace {

using vhost::HandoverRecord;

[[noreturn]] void fail(const std::string& what) {
  throw HandoverFailure(what);
}

std::string errno_text() {
  return std::strerror(errno);
}

// Waits until `fd` has `events` or the deadline passed; false then.
bool wait_for(int fd, short events, std::int64_t deadline_ms) {
  while (true) {
    const std::int64_t left = deadline_ms - monotonic_ms();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

void send_record(int fd, const HandoverRecord& record, std::int64_t deadline_ms) {
  vhost::EncodedHandover encoded = encode_handover(record);
  iovec iov{encoded.bytes.data(), encoded.bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * vhost::kMaxHandoverFds)]{};
  if (!encoded.fds.empty()) {
    if (encoded.fds.size() > vhost::kMaxHandoverFds) fail("a record with too many fds");
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * encoded.fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * encoded.fds.size());
    std::memcpy(CMSG_DATA(c), encoded.fds.data(), sizeof(int) * encoded.fds.size());
  }
  while (true) {
    const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == static_cast<ssize_t>(encoded.bytes.size())) return;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(fd, POLLOUT, deadline_ms))
      continue;
    fail(n < 0 ? fmt::format("send failed: {}", errno_text()) : "send cut short");
  }
}

// One record and its fds (owned). Throws HandoverFailure at EOF, the deadline or a record
// that does not decode; `what` names it ("record 3").
HandoverRecord receive_record(int fd, std::int64_t deadline_ms, const std::string& what,
                              std::vector<UniqueFd>& fds) {
  std::vector<std::uint8_t> bytes(vhost::kMaxHandoverRecordBytes);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * vhost::kMaxHandoverFds)];
  ssize_t n = -1;
  msghdr msg{};
  while (n < 0) {
    if (!wait_for(fd, POLLIN, deadline_ms)) fail(fmt::format("{}: none came in time", what));
    iovec iov{bytes.data(), bytes.size()};
    msg = msghdr{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    n = ::recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && errno != EINTR && errno != EAGAIN)
      fail(fmt::format("{}: receive failed: {}", what, errno_text()));
  }
  // Own every fd that came before looking at anything else: a refused record closes them.
  take_scm_rights(msg, fds);
  if (n == 0) fail(fmt::format("{}: the other side closed the handover socket", what));
  if ((msg.msg_flags & MSG_TRUNC) != 0)
    fail(fmt::format("{}: larger than {} bytes", what, vhost::kMaxHandoverRecordBytes));
  if ((msg.msg_flags & MSG_CTRUNC) != 0)
    fail(fmt::format("{}: more than {} fds", what, vhost::kMaxHandoverFds));
  std::vector<int> numbers;
  for (const UniqueFd& owned : fds) numbers.push_back(owned.get());
  bytes.resize(static_cast<std::size_t>(n));
  vhost::HandoverDecode decoded = vhost::decode_handover(bytes, numbers);
  if (!decoded.ok())
    fail(fmt::format("{}: {} ({})", what, vhost::describe(decoded.error), decoded.detail));
  return std::move(decoded.record);
}

UniqueFd connect_to(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path))
    fail(fmt::format("socket path '{}' (1-{} bytes)", path, sizeof(addr.sun_path) - 1));
  path.copy(addr.sun_path, path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd) fail(fmt::format("socket: {}", errno_text()));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) < 0)
    fail(fmt::format("cannot connect to {}: {}", path, errno_text()));
  return fd;
}

}  // namespace

PeerCredentials peer_credentials(int socket_fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    fail(fmt::format("SO_PEERCRED: {}", errno_text()));
  return {cred.pid, cred.uid};
}

TakenHandover take_handover(const std::string& path, int timeout_ms) {
  const std::int64_t deadline_ms = monotonic_ms() + timeout_ms;
  const UniqueFd fd = connect_to(path);
  const PeerCredentials giver = peer_credentials(fd.get());
  if (giver.uid != ::geteuid())
    fail(fmt::format("{} is served by uid {}, not by this relay's uid {}", path, giver.uid,
                     ::geteuid()));
  TakenHandover taken;
  std::vector<UniqueFd> fds;
  const HandoverRecord first = receive_record(fd.get(), deadline_ms, "record 1 (hello)", fds);
  const auto* hello = std::get_if<vhost::HandoverHello>(&first);
  if (hello == nullptr) fail("record 1 is not a hello");
  taken.giver_pid = hello->pid;
  const std::uint32_t expected = hello->listeners + hello->connections;
  for (std::uint32_t index = 2;; ++index) {
    fds.clear();
    const std::string what =
        fmt::format("record {} of {} announced by pid {}", index, expected + 2, hello->pid);
    HandoverRecord record = receive_record(fd.get(), deadline_ms, what, fds);
    if (auto* end = std::get_if<vhost::HandoverEnd>(&record)) {
      if (end->records != expected || index - 2 != expected)
        fail(
            fmt::format("{}: end after {} records, hello announced {}", what, index - 2, expected));
      break;
    }
    if (auto* listener = std::get_if<vhost::HandoverListener>(&record)) {
      taken.listeners.push_back({listener->node, std::move(fds.front())});
    } else if (auto* connection = std::get_if<vhost::HandoverConnection>(&record)) {
      taken.connections.push_back({std::move(*connection), std::move(fds)});
    } else {
      fail(fmt::format("{}: neither a listener, a connection nor the end", what));
    }
    if (taken.listeners.size() > hello->listeners || taken.connections.size() > hello->connections)
      fail(fmt::format("{}: more than hello announced", what));
  }
  send_record(fd.get(), vhost::HandoverAck{static_cast<std::uint32_t>(taken.connections.size())},
              deadline_ms);
  return taken;
}

vhost::HandoverAck give_handover(int taker_fd, const std::vector<HandoverRecord>& records,
                                 int timeout_ms) {
  const std::int64_t deadline_ms = monotonic_ms() + timeout_ms;
  for (const HandoverRecord& record : records) send_record(taker_fd, record, deadline_ms);
  std::vector<UniqueFd> fds;  // an ack carries none; any that came are closed
  const HandoverRecord answer = receive_record(taker_fd, deadline_ms, "the taker's ack", fds);
  const auto* ack = std::get_if<vhost::HandoverAck>(&answer);
  if (ack == nullptr) fail("the taker answered something other than an ack");
  return *ack;
}

}  // namespace vmesh::relay
