#include "relay/io/vhost_session.hpp"

#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "relay/io/scm_rights.hpp"

namespace vmesh::relay {

namespace {

using vhost::feature_bit;
using vhost::Request;

// SCM_RIGHTS room: a memory table carries at most kMaxMemoryRegions fds.
constexpr std::size_t kMaxFdsPerRead = vhost::kMaxMemoryRegions;

// One recvmsg of at most `want` bytes, appended to `input`; fds to `fds`. Returns the byte
// count, 0 at EOF, or -errno. Reading no further than the message at hand matters: the
// kernel hands out a message's fds with the read that reaches its first byte, and a read
// running on into the next message would take that message's fds too.
ssize_t receive(int socket_fd, std::size_t want, std::vector<std::uint8_t>& input,
                std::vector<UniqueFd>& fds) {
  const std::size_t at = input.size();
  input.resize(at + want);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerRead)];
  iovec iov{input.data() + at, want};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  const ssize_t n = ::recvmsg(socket_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  input.resize(at + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
  if (n < 0) return -errno;
  take_scm_rights(msg, fds);
  return n;
}

bool send_all(int socket_fd, const std::vector<std::uint8_t>& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n =
        ::send(socket_fd, bytes.data() + sent, bytes.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // a front end that does not take a small reply is gone
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

UniqueFd VhostSession::take_fd(std::vector<UniqueFd>& fds, int fd) {
  for (UniqueFd& owned : fds) {
    if (owned.get() == fd) return UniqueFd(owned.release());
  }
  return UniqueFd();
}

VhostSession::VhostSession(std::size_t pending_limit_bytes, std::int8_t tx_power_dbm)
    : pending_limit_bytes_(pending_limit_bytes), guest_(tx_power_dbm) {}

VhostSession::~VhostSession() {
  unmap_all();
}

bool VhostSession::queue_live(std::uint32_t queue) const {
  const Queue& q = queues_[queue];
  return q.ring.started() && q.enabled && fault_.empty();
}

VhostEvents VhostSession::on_readable(int socket_fd) {
  VhostEvents events;
  while (events.error.empty() && !events.closed) {
    // The header first, then exactly its payload: one message at a time.
    std::size_t want = vhost::kHeaderSize - std::min(input_.size(), vhost::kHeaderSize);
    vhost::HeaderResult head;
    if (want == 0) {
      head = vhost::decode_header(input_);
      if (head.status == vhost::DecodeStatus::malformed) {
        events.error =
            fmt::format("bad vhost-user message header: {}", vhost::describe(head.error));
        break;
      }
      want = vhost::kHeaderSize + head.header.size - input_.size();
    }
    if (want > 0) {
      const ssize_t n = receive(socket_fd, want, input_, input_fds_);
      if (n == -EAGAIN || n == -EWOULDBLOCK) break;
      if (n == -EINTR) continue;
      if (n <= 0) {
        events.closed = true;
        if (n < 0)
          events.error = fmt::format("socket read failed: {}", std::strerror(static_cast<int>(-n)));
        break;
      }
      continue;  // the header may be complete now: its payload size decides what follows
    }
    std::vector<int> fds;
    for (const UniqueFd& fd : input_fds_) fds.push_back(fd.get());
    vhost::MessageResult decoded = vhost::decode_message(input_, fds);
    if (!decoded.ok()) {
      events.error =
          fmt::format("bad vhost-user message (request {}): {} ({})", head.header.request,
                      vhost::describe(decoded.error), decoded.detail);
      break;
    }
    ++counters_.messages;
    const std::vector<std::uint8_t> reply = handle(decoded.message, events);
    input_.clear();
    input_fds_.clear();  // fds the message did not keep are closed here
    if (!events.error.empty()) break;
    if (!reply.empty() && !send_all(socket_fd, reply)) events.closed = true;
  }
  return events;
}

std::vector<std::uint8_t> VhostSession::handle(vhost::Message& message, VhostEvents& events) {
  std::string& error = events.error;
  bool ok = true;
  auto state = [&]() -> vhost::VringState& { return std::get<vhost::VringState>(message.payload); };
  auto queue_index = [&](std::uint32_t index) {
    if (index >= vhost::kHwsimQueueCount) {
      error = fmt::format("queue {} does not exist (hwsim has {})", index, vhost::kHwsimQueueCount);
      return false;
    }
    return true;
  };
  switch (message.request) {
    case Request::get_features:
      return vhost::encode_u64_reply(message.request, kVhostOfferedFeatures);
    case Request::get_protocol_features:
      return vhost::encode_u64_reply(message.request, kVhostOfferedProtocolFeatures);
    case Request::get_queue_num:
      return vhost::encode_u64_reply(message.request, vhost::kHwsimQueueCount);
    case Request::set_features: {
      const auto wanted = std::get<std::uint64_t>(message.payload);
      if ((wanted & ~kVhostOfferedFeatures) != 0) {
        error = fmt::format("front end set features {:#x} beyond those offered {:#x}", wanted,
                            kVhostOfferedFeatures);
        return {};
      }
      features_ = wanted;
      break;
    }
    case Request::set_protocol_features:
      protocol_features_ = std::get<std::uint64_t>(message.payload) & kVhostOfferedProtocolFeatures;
      break;
    case Request::set_owner:
      break;
    case Request::reset_owner:
    case Request::reset_device:
      reset();
      events.kick_changed = {true, true};
      break;
    case Request::set_mem_table:
      ok = set_mem_table(std::get<vhost::MemoryTable>(message.payload), input_fds_, error);
      break;
    case Request::set_vring_num:
      if (!queue_index(state().index)) return {};
      queues_[state().index].config.size = state().num;
      break;
    case Request::set_vring_base:
      if (!queue_index(state().index)) return {};
      queues_[state().index].config.avail_base = static_cast<std::uint16_t>(state().num);
      break;
    case Request::set_vring_addr: {
      const auto& a = std::get<vhost::VringAddress>(message.payload);
      if (!queue_index(a.index)) return {};
      vhost::VringConfig& c = queues_[a.index].config;
      c.desc_user_addr = a.desc_user_addr;
      c.avail_user_addr = a.avail_user_addr;
      c.used_user_addr = a.used_user_addr;
      break;
    }
    case Request::get_vring_base: {
      if (!queue_index(state().index)) return {};
      const std::uint32_t index = state().index;
      const std::uint16_t next = queues_[index].ring.started() ? queues_[index].ring.stop()
                                                               : queues_[index].config.avail_base;
      stop_queue(index);
      events.kick_changed[index] = true;
      return vhost::encode_vring_state_reply(message.request, {index, next});
    }
    case Request::set_vring_kick:
    case Request::set_vring_call:
    case Request::set_vring_err: {
      const auto& file = std::get<vhost::VringFile>(message.payload);
      if (!queue_index(file.index)) return {};
      UniqueFd fd = take_fd(input_fds_, file.fd);
      Queue& q = queues_[file.index];
      if (message.request == Request::set_vring_call) {
        q.call = std::move(fd);
      } else if (message.request == Request::set_vring_err) {
        q.err = std::move(fd);
      } else if (message.request == Request::set_vring_kick) {
        if (!fd) {
          error = fmt::format("queue {}: a kick without an eventfd (polling) is not served",
                              file.index);
          return {};
        }
        q.kick = std::move(fd);
        events.kick_changed[file.index] = true;
        ok = start_queue(file.index, error);
        // Without VHOST_USER_F_PROTOCOL_FEATURES a ring is enabled once it starts.
        if ((features_ & feature_bit(vhost::kVhostUserFProtocolFeatures)) == 0) q.enabled = true;
        if (file.index == vhost::kHwsimQueueRx) events.rx_ready = true;
      }
      break;
    }
    case Request::set_vring_enable:
      if (!queue_index(state().index)) return {};
      queues_[state().index].enabled = state().num != 0;
      if (state().index == vhost::kHwsimQueueRx) events.rx_ready = true;
      if (state().index == vhost::kHwsimQueueTx && state().num != 0) events.tx_ready = true;
      break;
    case Request::get_config: {
      // hwsim's device has no config space; answer an access with zeros.
      auto config = std::get<vhost::DeviceConfig>(message.payload);
      std::fill(config.bytes.begin(), config.bytes.end(), 0);
      return vhost::encode_config_reply(config);
    }
    case Request::set_config:
      break;
    default:
      error = fmt::format("vhost-user request {} is not served",
                          static_cast<std::uint32_t>(message.request));
      return {};
  }
  if (!error.empty()) return {};
  const bool reply_ack = (protocol_features_ & feature_bit(vhost::kProtocolFReplyAck)) != 0;
  if (reply_ack && message.need_reply() && !vhost::has_reply_body(message.request))
    return vhost::encode_ack_reply(message.request, ok);
  return {};
}

bool VhostSession::set_mem_table(const vhost::MemoryTable& table, std::vector<UniqueFd>& fds,
                                 std::string& error) {
  // unmap_all() stops the rings (keeping where each stopped): note which were running first.
  std::array<bool, vhost::kHwsimQueueCount> running{};
  for (std::uint32_t i = 0; i < vhost::kHwsimQueueCount; ++i)
    running[i] = queues_[i].ring.started();
  unmap_all();
  for (std::size_t i = 0; i < table.regions.size(); ++i) {
    const vhost::MemoryRegion& r = table.regions[i];
    if (r.mmap_offset > UINT64_MAX - r.size) {
      error = fmt::format("memory region {}: offset + size wraps", i);
      return false;
    }
    const std::size_t length = r.size + r.mmap_offset;
    void* base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
                        table.fds[i], 0);
    if (base == MAP_FAILED) {
      error = fmt::format("memory region {} ({} bytes): mmap failed: {}", i, r.size,
                          std::strerror(errno));
      return false;
    }
    mappings_.push_back({base, length, take_fd(fds, table.fds[i])});
    const auto host =
        std::span<std::uint8_t>(static_cast<std::uint8_t*>(base) + r.mmap_offset, r.size);
    if (const vhost::MemoryError e = memory_.add_region(r, host); e != vhost::MemoryError::none) {
      error = fmt::format("memory region {}: {}", i, vhost::describe(e));
      return false;
    }
  }
  // Rings that were running translate their addresses anew against the new table.
  for (std::uint32_t i = 0; i < vhost::kHwsimQueueCount; ++i) {
    if (running[i] && !start_queue(i, error)) return false;
  }
  return true;
}

void VhostSession::unmap_all() {
  for (std::uint32_t i = 0; i < vhost::kHwsimQueueCount; ++i) {
    if (queues_[i].ring.started()) queues_[i].config.avail_base = queues_[i].ring.stop();
  }
  memory_.clear();
  for (const Mapping& m : mappings_) ::munmap(m.base, m.length);
  mappings_.clear();
}

bool VhostSession::start_queue(std::uint32_t index, std::string& error) {
  Queue& q = queues_[index];
  q.config.event_idx = (features_ & feature_bit(vhost::kVirtioRingFEventIdx)) != 0;
  q.config.indirect = false;
  const vhost::VringFault fault = q.ring.start(memory_, q.config);
  if (!fault.ok()) {
    error = fmt::format("queue {} cannot start: {} ({})", index, vhost::describe(fault.error),
                        fault.value);
    return false;
  }
  return true;
}

void VhostSession::stop_queue(std::uint32_t index) {
  Queue& q = queues_[index];
  if (q.ring.started()) q.config.avail_base = q.ring.stop();
  q.kick.reset();
  q.enabled = false;
}

void VhostSession::reset() {
  for (std::uint32_t i = 0; i < vhost::kHwsimQueueCount; ++i) {
    stop_queue(i);
    queues_[i] = Queue{};
  }
  features_ = 0;
  pending_rx_.clear();
  pending_head_ = 0;
  tx_used_unsignalled_ = 0;
  guest_.forget_radios();  // a reset guest may come back with other radios
}

bool VhostSession::queue_fault(std::uint32_t index, const vhost::VringFault& fault) {
  fault_ =
      fmt::format("{} queue: {} ({}{}{})", index == vhost::kHwsimQueueTx ? "TX" : "RX",
                  vhost::describe(fault.error), fault.value,
                  fault.memory == vhost::MemoryError::none ? "" : ", ",
                  fault.memory == vhost::MemoryError::none ? "" : vhost::describe(fault.memory));
  return false;
}

void VhostSession::signal_call(std::uint32_t index) {
  Queue& q = queues_[index];
  if (!q.call) return;
  const std::uint64_t one = 1;
  // An eventfd write only fails when its counter would overflow: the guest is behind anyway.
  if (::write(q.call.get(), &one, sizeof(one)) == sizeof(one)) ++counters_.calls;
}

void VhostSession::signal_owed_tx() {
  if (tx_used_unsignalled_ == 0) return;
  tx_used_unsignalled_ = 0;
  signal_call(vhost::kHwsimQueueTx);
}

bool VhostSession::take_chain_messages(std::vector<std::uint8_t>& bytes,
                                       std::size_t allowance_bytes) {
  if (bytes.empty()) return true;
  if (pending_rx_.size() - pending_head_ + bytes.size() > pending_limit_bytes_ + allowance_bytes) {
    ++counters_.rx_dropped_full;
    return false;
  }
  pending_rx_.insert(pending_rx_.end(), bytes.begin(), bytes.end());
  return true;
}

bool VhostSession::deliver(std::span<const std::uint8_t> wire_message, std::int8_t signal_dbm) {
  guest_out_.clear();
  guest_.on_delivery(wire_message, signal_dbm, guest_out_);
  return take_chain_messages(guest_out_, 0);
}

void VhostSession::medium_status(std::span<const std::uint8_t> wire_status) {
  guest_out_.clear();
  guest_.on_medium_status(wire_status, guest_out_);
  take_chain_messages(guest_out_, kOwnMessagesAllowanceBytes);
}

bool VhostSession::flush_rx() {
  if (!queue_live(vhost::kHwsimQueueRx)) return fault_.empty();
  Queue& q = queues_[vhost::kHwsimQueueRx];
  while (has_pending_rx()) {
    const auto rest = std::span<const std::uint8_t>(pending_rx_).subspan(pending_head_);
    const std::size_t bytes = vhost::first_message_bytes(rest);
    if (bytes == 0) {  // cannot happen with messages we built; never loop on it
      pending_head_ = pending_rx_.size();
      break;
    }
    const vhost::PopResult popped = q.ring.pop(chain_);
    if (popped.status == vhost::PopStatus::empty) break;
    if (popped.status == vhost::PopStatus::error)
      return queue_fault(vhost::kHwsimQueueRx, popped.fault);
    const auto written = vhost::write_rx_message(chain_, rest.first(bytes));
    if (!written) ++counters_.rx_too_small;
    const vhost::VringFault used = q.ring.add_used(chain_.head, written.value_or(0));
    if (!used.ok()) return queue_fault(vhost::kHwsimQueueRx, used);
    pending_head_ += bytes;
  }
  if (pending_head_ == pending_rx_.size()) {
    pending_rx_.clear();
    pending_head_ = 0;
  } else if (pending_head_ > pending_rx_.size() / 2) {
    pending_rx_.erase(pending_rx_.begin(),
                      pending_rx_.begin() + static_cast<std::ptrdiff_t>(pending_head_));
    pending_head_ = 0;
  }
  if (q.ring.publish_used()) signal_call(vhost::kHwsimQueueRx);
  return true;
}

}  // namespace vmesh::relay
