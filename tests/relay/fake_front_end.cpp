#include "fake_front_end.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "relay/vhost/virtio_features.hpp"
#include "relay/vhost/vring_layout.hpp"

namespace vmesh::test {

namespace {

using vhost::feature_bit;
using vhost::Request;
using Clock = std::chrono::steady_clock;

// The region starts one page into the memfd, as a region of a larger backing file would:
// the back end must map from offset 0 and apply mmap_offset itself.
constexpr std::uint64_t kRegionOffset = 4096;
constexpr std::size_t kRingBytes = 0x4000;  // per queue: descriptors, avail, used
constexpr std::size_t kAvailOffset = vhost::desc_table_bytes(FakeFrontEnd::kQueueSize);
constexpr std::size_t kUsedOffset = 4096;
constexpr std::size_t kBuffersOffset = 0x10000;
static_assert(kAvailOffset + vhost::avail_ring_bytes(FakeFrontEnd::kQueueSize, false) <=
              kUsedOffset);
static_assert(kUsedOffset + vhost::used_ring_bytes(FakeFrontEnd::kQueueSize, false) <= kRingBytes);
static_assert(kBuffersOffset +
                  vhost::kHwsimQueueCount * FakeFrontEnd::kQueueSize * FakeFrontEnd::kBufferBytes <=
              FakeFrontEnd::kMemoryBytes);

// What QEMU asks for of a hwsim back end (it drops what the back end does not offer).
constexpr std::uint64_t kWantedFeatures =
    feature_bit(vhost::kVirtioFVersion1) | feature_bit(vhost::kVhostUserFProtocolFeatures);
constexpr std::uint64_t kWantedProtocolFeatures = feature_bit(vhost::kProtocolFMq) |
                                                  feature_bit(vhost::kProtocolFReplyAck) |
                                                  feature_bit(vhost::kProtocolFResetDevice);

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
}

// Reads exactly out.size() bytes; false on EOF or at the deadline.
bool read_exact(int fd, std::span<std::uint8_t> out, Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < out.size()) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
    const ssize_t n = ::recv(fd, out.data() + done, out.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

UniqueFd new_eventfd() {
  // As QEMU's event notifiers: non-blocking.
  UniqueFd fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!fd) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  return fd;
}

template <typename T>
void store(std::uint8_t* p, T value) {
  std::memcpy(p, &value, sizeof value);
}

template <typename T>
T load(const std::uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

}  // namespace

FakeFrontEnd::FakeFrontEnd(const std::string& socket_path) {
  socket_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  socket_path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  if (!socket_ ||
      ::connect(socket_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) < 0)
    throw std::runtime_error("connect " + socket_path + ": " + std::strerror(errno));
  memfd_.reset(::memfd_create("fake-guest", MFD_CLOEXEC));
  if (!memfd_ || ::ftruncate(memfd_.get(), kRegionOffset + kMemoryBytes) < 0)
    throw std::runtime_error(std::string("memfd: ") + std::strerror(errno));
  mapping_ = ::mmap(nullptr, kRegionOffset + kMemoryBytes, PROT_READ | PROT_WRITE, MAP_SHARED,
                    memfd_.get(), 0);
  if (mapping_ == MAP_FAILED)
    throw std::runtime_error(std::string("mmap: ") + std::strerror(errno));
  memory_ = static_cast<std::uint8_t*>(mapping_) + kRegionOffset;
}

FakeFrontEnd::~FakeFrontEnd() {
  ::munmap(mapping_, kRegionOffset + kMemoryBytes);
}

void FakeFrontEnd::send_message(const vhost::Message& message, std::span<const int> fds) {
  std::vector<std::uint8_t> bytes = vhost::encode_request(message);
  iovec iov{bytes.data(), bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * vhost::kMaxMemoryRegions)]{};
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (c == nullptr) throw std::runtime_error("no room for SCM_RIGHTS");
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  // A small message on a fresh socket goes out whole.
  if (::sendmsg(socket_.get(), &msg, MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size()))
    throw std::runtime_error(std::string("sendmsg: ") + std::strerror(errno));
}

void FakeFrontEnd::send_bytes(std::span<const std::uint8_t> bytes) {
  if (::send(socket_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(bytes.size()))
    throw std::runtime_error(std::string("send: ") + std::strerror(errno));
}

Bytes FakeFrontEnd::read_reply(Request request, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::uint8_t header[vhost::kHeaderSize];
  if (!read_exact(socket_.get(), header, deadline))
    throw std::runtime_error("no reply to vhost-user request " +
                             std::to_string(static_cast<std::uint32_t>(request)));
  const auto got = load<std::uint32_t>(header);
  const auto flags = load<std::uint32_t>(header + 4);
  const auto size = load<std::uint32_t>(header + 8);
  if (got != static_cast<std::uint32_t>(request) || (flags & vhost::kFlagReply) == 0 ||
      (flags & vhost::kFlagVersionMask) != vhost::kFlagVersion1 || size > vhost::kMaxPayloadSize)
    throw std::runtime_error("unexpected reply header for request " + std::to_string(got));
  Bytes payload(size);
  if (!read_exact(socket_.get(), payload, deadline))
    throw std::runtime_error("reply payload cut short");
  return payload;
}

std::uint64_t FakeFrontEnd::u64_request(Request request) {
  send_message({.request = request, .payload = {}});
  const Bytes reply = read_reply(request);
  if (reply.size() != sizeof(std::uint64_t)) throw std::runtime_error("u64 reply of wrong size");
  return load<std::uint64_t>(reply.data());
}

void FakeFrontEnd::send_u64(Request request, std::uint64_t value, std::uint32_t flags) {
  send_message({.request = request, .flags = vhost::kFlagVersion1 | flags, .payload = value});
}

void FakeFrontEnd::sync() {
  u64_request(Request::get_features);
}

void FakeFrontEnd::initialise() {
  const std::uint64_t features = u64_request(Request::get_features);
  if ((features & kWantedFeatures) != kWantedFeatures)
    throw std::runtime_error("back end lacks VERSION_1 or PROTOCOL_FEATURES");
  const std::uint64_t protocol = u64_request(Request::get_protocol_features);
  send_u64(Request::set_protocol_features, protocol & kWantedProtocolFeatures);
  if (u64_request(Request::get_queue_num) < vhost::kHwsimQueueCount)
    throw std::runtime_error("back end offers fewer than two queues");
  send_message({.request = Request::set_owner, .payload = {}});
  u64_request(Request::get_features);
  for (std::uint32_t q = 0; q < vhost::kHwsimQueueCount; ++q) {
    for (Request request : {Request::set_vring_call, Request::set_vring_err}) {
      init_fds_.push_back(new_eventfd());
      const int fd = init_fds_.back().get();
      send_message(
          {.request = request, .payload = vhost::VringFile{static_cast<std::uint8_t>(q), fd}},
          std::span(&fd, 1));
    }
  }
}

void FakeFrontEnd::start() {
  send_u64(Request::set_features,
           kWantedFeatures | (event_idx_ ? feature_bit(vhost::kVirtioRingFEventIdx) : 0));
  send_mem_table();

  for (std::uint16_t i = 0; i < kQueueSize; ++i) {
    set_descriptor(vhost::kHwsimQueueRx, i, buffer_gpa(vhost::kHwsimQueueRx, i), kBufferBytes,
                   vhost::kDescFlagWrite);
    make_available(vhost::kHwsimQueueRx, i);
  }
  for (std::uint32_t q = 0; q < vhost::kHwsimQueueCount; ++q) {
    queues_[q].kick = new_eventfd();
    queues_[q].call = new_eventfd();
    set_up_queue(q, 0);
  }
  for (std::uint32_t q = 0; q < vhost::kHwsimQueueCount; ++q)
    send_message({.request = Request::set_vring_enable, .payload = vhost::VringState{q, 1}});
  sync();
  kick(vhost::kHwsimQueueRx);
}

void FakeFrontEnd::set_up_queue(std::uint32_t q, std::uint16_t avail_base) {
  const std::uint64_t ring = kUserBase + q * kRingBytes;
  send_message({.request = Request::set_vring_num, .payload = vhost::VringState{q, kQueueSize}});
  send_message({.request = Request::set_vring_base, .payload = vhost::VringState{q, avail_base}});
  send_message({.request = Request::set_vring_addr,
                .payload = vhost::VringAddress{.index = q,
                                               .desc_user_addr = ring,
                                               .used_user_addr = ring + kUsedOffset,
                                               .avail_user_addr = ring + kAvailOffset}});
  const auto index = static_cast<std::uint8_t>(q);
  const int kick_fd = queues_[q].kick.get();
  const int call_fd = queues_[q].call.get();
  send_message({.request = Request::set_vring_kick, .payload = vhost::VringFile{index, kick_fd}},
               std::span(&kick_fd, 1));
  send_message({.request = Request::set_vring_call, .payload = vhost::VringFile{index, call_fd}},
               std::span(&call_fd, 1));
}

void FakeFrontEnd::restart_queue(std::uint32_t queue, std::uint16_t avail_base) {
  set_up_queue(queue, avail_base);
  sync();
}

void FakeFrontEnd::enable_queue(std::uint32_t queue) {
  send_message({.request = Request::set_vring_enable, .payload = vhost::VringState{queue, 1}});
  sync();
}

void FakeFrontEnd::send_mem_table() {
  const vhost::MemoryRegion region{kGuestBase, kMemoryBytes, kUserBase, kRegionOffset};
  const int memfd = memfd_.get();
  send_message({.request = Request::set_mem_table,
                .flags = vhost::kFlagVersion1 | vhost::kFlagNeedReply,
                .payload = vhost::MemoryTable{{region}, {memfd}}},
               std::span(&memfd, 1));
  const Bytes ack = read_reply(Request::set_mem_table);
  if (ack.size() != 8 || load<std::uint64_t>(ack.data()) != 0)
    throw std::runtime_error("SET_MEM_TABLE not acknowledged");
}

void FakeFrontEnd::bring_up() {
  initialise();
  start();
}

std::uint16_t FakeFrontEnd::stop_queue(std::uint32_t queue) {
  send_message({.request = Request::set_vring_enable, .payload = vhost::VringState{queue, 0}});
  send_message({.request = Request::get_vring_base, .payload = vhost::VringState{queue, 0}});
  const Bytes reply = read_reply(Request::get_vring_base);
  if (reply.size() != 8 || load<std::uint32_t>(reply.data()) != queue)
    throw std::runtime_error("GET_VRING_BASE reply for another queue");
  return static_cast<std::uint16_t>(load<std::uint32_t>(reply.data() + 4));
}

bool FakeFrontEnd::wait_closed(int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::uint8_t scratch[256];
  while (true) {
    pollfd p{socket_.get(), POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
    const ssize_t n = ::recv(socket_.get(), scratch, sizeof(scratch), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
}

std::uint8_t* FakeFrontEnd::desc(std::uint32_t queue) {
  return memory_ + queue * kRingBytes;
}
std::uint8_t* FakeFrontEnd::avail(std::uint32_t queue) {
  return desc(queue) + kAvailOffset;
}
std::uint8_t* FakeFrontEnd::used(std::uint32_t queue) {
  return desc(queue) + kUsedOffset;
}
std::uint8_t* FakeFrontEnd::buffer(std::uint32_t queue, std::uint16_t index) {
  return memory_ + (buffer_gpa(queue, index) - kGuestBase);
}

std::uint64_t FakeFrontEnd::buffer_gpa(std::uint32_t queue, std::uint16_t index) {
  return kGuestBase + kBuffersOffset + (std::uint64_t{queue} * kQueueSize + index) * kBufferBytes;
}

void FakeFrontEnd::set_descriptor(std::uint32_t queue, std::uint16_t index,
                                  std::uint64_t guest_addr, std::uint32_t len, std::uint16_t flags,
                                  std::uint16_t next) {
  std::uint8_t* d = desc(queue) + vhost::kDescSize * index;
  store(d, guest_addr);
  store(d + 8, len);
  store(d + 12, flags);
  store(d + 14, next);
}

void FakeFrontEnd::make_available(std::uint32_t queue, std::uint16_t head) {
  Queue& q = queues_[queue];
  store(avail(queue) + 4 + 2 * (q.avail_idx % kQueueSize), head);
  ++q.avail_idx;
  // Release: the back end that reads the new idx must see the ring entry and descriptors.
  std::atomic_ref(*reinterpret_cast<std::uint16_t*>(avail(queue) + 2))
      .store(q.avail_idx, std::memory_order_release);
}

void FakeFrontEnd::kick(std::uint32_t queue) {
  const std::uint64_t one = 1;
  if (::write(queues_[queue].kick.get(), &one, sizeof(one)) != sizeof(one))
    throw std::runtime_error(std::string("kick: ") + std::strerror(errno));
  ++queues_[queue].kicks;
}

std::uint64_t FakeFrontEnd::take_unread_kicks(std::uint32_t queue) {
  std::uint64_t count = 0;
  return ::read(queues_[queue].kick.get(), &count, sizeof(count)) == sizeof(count) ? count : 0;
}

void FakeFrontEnd::notify(std::uint32_t queue, std::uint16_t old_avail_idx) {
  if (!event_idx_) return kick(queue);
  // The new avail idx must be visible before avail_event is read (the driver's full barrier).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const std::uint16_t avail_event =
      std::atomic_ref(
          *reinterpret_cast<std::uint16_t*>(used(queue) + 4 + vhost::kUsedElemSize * kQueueSize))
          .load(std::memory_order_acquire);
  const std::uint16_t new_idx = queues_[queue].avail_idx;
  if (static_cast<std::uint16_t>(new_idx - avail_event - 1) <
      static_cast<std::uint16_t>(new_idx - old_avail_idx))
    kick(queue);
}

std::uint16_t FakeFrontEnd::transmit(std::span<const std::uint8_t> netlink_message) {
  if (netlink_message.size() > kBufferBytes) throw std::runtime_error("message above a buffer");
  Queue& q = queues_[vhost::kHwsimQueueTx];
  const std::uint16_t head = q.next_tx_buffer;
  q.next_tx_buffer = static_cast<std::uint16_t>((head + 1) % kQueueSize);
  std::uint8_t* b = buffer(vhost::kHwsimQueueTx, head);
  std::memset(b, 0xee, kBufferBytes);  // the skb's tail: not part of the message
  std::memcpy(b, netlink_message.data(), netlink_message.size());
  set_descriptor(vhost::kHwsimQueueTx, head, buffer_gpa(vhost::kHwsimQueueTx, head), kBufferBytes,
                 0);
  const std::uint16_t old_avail_idx = q.avail_idx;
  make_available(vhost::kHwsimQueueTx, head);
  notify(vhost::kHwsimQueueTx, old_avail_idx);
  return head;
}

bool FakeFrontEnd::wait_call(std::uint32_t queue, int timeout_ms) {
  pollfd p{queues_[queue].call.get(), POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  std::uint64_t count = 0;
  return ::read(p.fd, &count, sizeof(count)) == sizeof(count);
}

std::vector<UsedEntry> FakeFrontEnd::take_used(std::uint32_t queue) {
  Queue& q = queues_[queue];
  auto published = [&] {
    return std::atomic_ref(*reinterpret_cast<std::uint16_t*>(used(queue) + 2))
        .load(std::memory_order_acquire);
  };
  std::vector<UsedEntry> entries;
  for (std::uint16_t end = published();; end = published()) {
    for (; q.used_seen != end; ++q.used_seen) {
      const std::uint8_t* e = used(queue) + 4 + vhost::kUsedElemSize * (q.used_seen % kQueueSize);
      entries.push_back({load<std::uint32_t>(e), load<std::uint32_t>(e + 4)});
    }
    if (!event_idx_) break;
    // used_event: a call for the next entry. Entries published before the back end could
    // see it come without a call, hence the second look.
    std::atomic_ref(*reinterpret_cast<std::uint16_t*>(avail(queue) + 4 + 2 * kQueueSize))
        .store(q.used_seen, std::memory_order_release);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (published() == q.used_seen) break;
  }
  return entries;
}

std::vector<UsedEntry> FakeFrontEnd::wait_used(std::uint32_t queue, std::size_t count,
                                               int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<UsedEntry> entries;
  while (true) {
    for (const UsedEntry& e : take_used(queue)) entries.push_back(e);
    if (entries.size() >= count || !wait_call(queue, remaining_ms(deadline))) return entries;
  }
}

std::vector<Bytes> FakeFrontEnd::receive(std::size_t count, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<Bytes> messages;
  while (true) {
    const std::uint16_t old_avail_idx = queues_[vhost::kHwsimQueueRx].avail_idx;
    const std::vector<UsedEntry> entries = take_used(vhost::kHwsimQueueRx);
    for (const UsedEntry& e : entries) {
      if (e.head >= kQueueSize || e.written_bytes > kBufferBytes)
        throw std::runtime_error("back end wrote a bad RX used entry");
      const auto head = static_cast<std::uint16_t>(e.head);
      Bytes message{0};
      const std::uint8_t* b = buffer(vhost::kHwsimQueueRx, head);
      message.insert(message.end(), b, b + e.written_bytes);
      messages.push_back(std::move(message));
      make_available(vhost::kHwsimQueueRx, head);
    }
    if (!entries.empty()) notify(vhost::kHwsimQueueRx, old_avail_idx);
    if (messages.size() >= count || !wait_call(vhost::kHwsimQueueRx, remaining_ms(deadline)))
      return messages;
  }
}

}  // namespace vmesh::test
