#include "relay/agent/hwsim_socket.hpp"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/wire/wire_format.hpp"

namespace vmesh::agent {

namespace {

constexpr int kSocketBufferBytes = 4 * 1024 * 1024;
constexpr int kReplyTimeoutMs = 3000;

[[noreturn]] void throw_errno(const char* call) {
  const int e = errno;
  throw HwsimError(std::string("hwsim socket: ") + call + ": " + std::strerror(e), -e);
}

void set_buffer(int fd, int force_opt, int opt, int bytes) {
  // The *FORCE variants ignore rmem_max/wmem_max but need CAP_NET_ADMIN; fall back.
  if (::setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof(bytes)) != 0) {
    ::setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes));
  }
}

}  // namespace

HwsimSocket HwsimSocket::open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_GENERIC));
  if (!fd) throw_errno("socket(NETLINK_GENERIC)");
  // Every frame the radios send arrives here as its own skb; a burst must not overrun us.
  set_buffer(fd.get(), SO_RCVBUFFORCE, SO_RCVBUF, kSocketBufferBytes);
  // netlink_sendmsg() refuses a message larger than the send buffer: room for our batches.
  set_buffer(fd.get(), SO_SNDBUFFORCE, SO_SNDBUF, kSocketBufferBytes);
  const int one = 1;
  // Error acks then carry only the header of the refused message, not the whole frame.
  ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0)
    throw_errno("bind");
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;  // nl_pid 0: the kernel
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&kernel), sizeof(kernel)) != 0)
    throw_errno("connect");
  socklen_t len = sizeof(local);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &len) != 0)
    throw_errno("getsockname");
  HwsimSocket sock(std::move(fd), local.nl_pid);
  sock.buf_.resize(64 * 1024);
  return sock;
}

template <typename OnReply>
std::int32_t HwsimSocket::transact(std::span<const std::uint8_t> request, std::uint32_t seq,
                                   OnReply&& on_reply) {
  if (::send(fd_.get(), request.data(), request.size(), 0) < 0) throw_errno("send");
  for (;;) {
    pollfd p{fd_.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, kReplyTimeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0)
      throw HwsimError("hwsim socket: no answer from the kernel within 3 s", -ETIMEDOUT);
    const ssize_t n = ::recv(fd_.get(), buf_.data(), buf_.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS) continue;
      throw_errno("recv");
    }
    bool done = false;
    std::int32_t result = 0;
    for_each_netlink_message(
        std::span<const std::uint8_t>(buf_.data(), static_cast<std::size_t>(n)),
        [&](const NetlinkView& view) {
          if (done || view.seq != seq) return;  // e.g. a frame: not ours to answer
          if (view.type == kNlmsgError) {
            if (const auto ack = parse_ack(view.bytes)) {
              result = ack->error;
              done = true;
            }
          } else {
            on_reply(view.bytes);
          }
        });
    if (done) return result;
  }
}

std::uint16_t HwsimSocket::resolve_family() {
  std::vector<std::uint8_t> req;
  const std::uint32_t seq = seq_++;
  build_get_family_request(req, seq, wire::kHwsimFamilyName);
  std::optional<std::uint16_t> id;
  const std::int32_t error = transact(req, seq, [&](std::span<const std::uint8_t> reply) {
    if (auto parsed = parse_family_id(reply)) id = parsed;
  });
  if (error < 0) throw HwsimError(describe_error(Request::get_family, error), error);
  if (!id) throw HwsimError("resolving MAC80211_HWSIM: the reply carried no family id", -EPROTO);
  return *id;
}

void HwsimSocket::register_medium(std::uint16_t family_id) {
  std::vector<std::uint8_t> req;
  const std::uint32_t seq = seq_++;
  build_register_request(req, family_id, seq);
  const std::int32_t error = transact(req, seq, [](std::span<const std::uint8_t>) {});
  if (error < 0) throw HwsimError(describe_error(Request::register_medium, error), error);
}

std::uint32_t HwsimSocket::new_radio(std::uint16_t family_id, const wire::MacAddress& perm_addr) {
  std::vector<std::uint8_t> req;
  const std::uint32_t seq = seq_++;
  build_new_radio_request(req, family_id, seq, perm_addr);
  const std::int32_t result = transact(req, seq, [](std::span<const std::uint8_t>) {});
  if (result < 0) {
    throw HwsimError(
        describe_error(Request::new_radio, result) + " [" + perm_addr.to_string() + "]", result);
  }
  return static_cast<std::uint32_t>(result);
}

void HwsimSocket::del_radio(std::uint16_t family_id, std::uint32_t radio_id) {
  std::vector<std::uint8_t> req;
  const std::uint32_t seq = seq_++;
  build_del_radio_request(req, family_id, seq, radio_id);
  const std::int32_t error = transact(req, seq, [](std::span<const std::uint8_t>) {});
  if (error < 0) throw HwsimError(describe_error(Request::del_radio, error), error);
}

}  // namespace vmesh::agent
