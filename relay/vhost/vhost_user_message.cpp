#include "relay/vhost/vhost_user_message.hpp"

#include <cstring>

namespace vmesh::vhost {
namespace {

constexpr std::uint32_t kU64Size = 8;
constexpr std::uint32_t kVringStateSize = 8;
constexpr std::uint32_t kVringAddressSize = 40;
constexpr std::uint32_t kMemoryTableHeaderSize = 8;  // num regions + padding
constexpr std::uint32_t kMemoryRegionSize = 32;
constexpr std::uint32_t kConfigHeaderSize = 12;  // offset, size, flags

template <typename T>
T load(std::span<const std::uint8_t> bytes, std::size_t offset) noexcept {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

MessageResult failure(MessageError error, std::uint32_t detail) {
  return {error, detail, {}};
}

// The payload of a request known to be well-formed so far; fills `out` or says why not.
class PayloadDecoder {
 public:
  PayloadDecoder(std::span<const std::uint8_t> payload, std::span<const int> fds)
      : payload_(payload), fds_(fds) {}

  MessageResult empty(Message m) const { return exact(std::move(m), 0); }

  MessageResult u64(Message m) const {
    MessageResult r = exact(std::move(m), kU64Size);
    if (r.ok()) r.message.payload = load<std::uint64_t>(payload_, 0);
    return r;
  }

  MessageResult vring_state(Message m) const {
    MessageResult r = exact(std::move(m), kVringStateSize);
    if (r.ok()) {
      r.message.payload =
          VringState{load<std::uint32_t>(payload_, 0), load<std::uint32_t>(payload_, 4)};
    }
    return r;
  }

  MessageResult vring_address(Message m) const {
    MessageResult r = exact(std::move(m), kVringAddressSize);
    if (r.ok()) {
      r.message.payload =
          VringAddress{load<std::uint32_t>(payload_, 0),  load<std::uint32_t>(payload_, 4),
                       load<std::uint64_t>(payload_, 8),  load<std::uint64_t>(payload_, 16),
                       load<std::uint64_t>(payload_, 24), load<std::uint64_t>(payload_, 32)};
    }
    return r;
  }

  MessageResult vring_file(Message m) const {
    if (payload_.size() != kU64Size) return size_mismatch();
    const auto value = load<std::uint64_t>(payload_, 0);
    if ((value & ~(kVringFileIndexMask | kVringFileNoFd)) != 0) {
      return failure(MessageError::reserved_bits_set, static_cast<std::uint32_t>(value >> 9));
    }
    const bool has_fd = (value & kVringFileNoFd) == 0;
    if (fds_.size() != (has_fd ? 1u : 0u)) return fd_mismatch();
    m.payload =
        VringFile{static_cast<std::uint8_t>(value & kVringFileIndexMask), has_fd ? fds_[0] : -1};
    return {MessageError::none, 0, std::move(m)};
  }

  MessageResult memory_table(Message m) const {
    if (payload_.size() < kMemoryTableHeaderSize) return size_mismatch();
    const auto count = load<std::uint32_t>(payload_, 0);
    if (count > kMaxMemoryRegions) return failure(MessageError::too_many_regions, count);
    if (payload_.size() != kMemoryTableHeaderSize + kMemoryRegionSize * count) {
      return size_mismatch();
    }
    if (fds_.size() != count) return fd_mismatch();
    MemoryTable table;
    table.regions.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::size_t at = kMemoryTableHeaderSize + std::size_t{kMemoryRegionSize} * i;
      table.regions.push_back(
          {load<std::uint64_t>(payload_, at), load<std::uint64_t>(payload_, at + 8),
           load<std::uint64_t>(payload_, at + 16), load<std::uint64_t>(payload_, at + 24)});
    }
    table.fds.assign(fds_.begin(), fds_.end());
    m.payload = std::move(table);
    return {MessageError::none, 0, std::move(m)};
  }

  MessageResult device_config(Message m) const {
    if (payload_.size() < kConfigHeaderSize) return size_mismatch();
    const auto size = load<std::uint32_t>(payload_, 4);
    if (size > kMaxConfigSize) return failure(MessageError::config_too_large, size);
    MessageResult r = exact(std::move(m), kConfigHeaderSize + size);
    if (r.ok()) {
      const auto bytes = payload_.subspan(kConfigHeaderSize);
      r.message.payload = DeviceConfig{load<std::uint32_t>(payload_, 0),
                                       load<std::uint32_t>(payload_, 8),
                                       {bytes.begin(), bytes.end()}};
    }
    return r;
  }

 private:
  // A payload of exactly `size` bytes and no fds.
  MessageResult exact(Message m, std::uint32_t size) const {
    if (payload_.size() != size) return size_mismatch();
    if (!fds_.empty()) return fd_mismatch();
    return {MessageError::none, 0, std::move(m)};
  }
  MessageResult size_mismatch() const {
    return failure(MessageError::payload_size_mismatch,
                   static_cast<std::uint32_t>(payload_.size()));
  }
  MessageResult fd_mismatch() const {
    return failure(MessageError::fd_count_mismatch, static_cast<std::uint32_t>(fds_.size()));
  }

  std::span<const std::uint8_t> payload_;
  std::span<const int> fds_;
};

}  // namespace

std::string_view describe(MessageError error) noexcept {
  switch (error) {
    case MessageError::none:
      return "no error";
    case MessageError::bad_version:
      return "flags carry a version other than 1";
    case MessageError::reply_flag_set:
      return "request has the reply flag set";
    case MessageError::payload_too_large:
      return "payload size above the limit";
    case MessageError::unknown_request:
      return "unknown request";
    case MessageError::unsupported_request:
      return "request not supported by this back-end";
    case MessageError::payload_size_mismatch:
      return "payload size does not match the request";
    case MessageError::too_many_regions:
      return "more than 8 memory regions";
    case MessageError::fd_count_mismatch:
      return "wrong number of file descriptors";
    case MessageError::reserved_bits_set:
      return "reserved bits set in the vring file value";
    case MessageError::config_too_large:
      return "config access larger than 256 bytes";
  }
  return "unknown message error";
}

HeaderResult decode_header(std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.size() < kHeaderSize) return {};
  const Header header{load<std::uint32_t>(bytes, 0), load<std::uint32_t>(bytes, 4),
                      load<std::uint32_t>(bytes, 8)};
  MessageError error = MessageError::none;
  if ((header.flags & kFlagVersionMask) != kFlagVersion1) {
    error = MessageError::bad_version;
  } else if ((header.flags & kFlagReply) != 0) {
    error = MessageError::reply_flag_set;
  } else if (header.size > kMaxPayloadSize) {
    error = MessageError::payload_too_large;
  }
  return {error == MessageError::none ? DecodeStatus::complete : DecodeStatus::malformed, error,
          header};
}

MessageResult decode_message(std::span<const std::uint8_t> bytes, std::span<const int> fds) {
  const HeaderResult h = decode_header(bytes);
  if (h.status == DecodeStatus::need_more) {
    return failure(MessageError::payload_size_mismatch, static_cast<std::uint32_t>(bytes.size()));
  }
  if (h.status == DecodeStatus::malformed) {
    const std::uint32_t detail =
        h.error == MessageError::payload_too_large ? h.header.size : h.header.flags;
    return failure(h.error, detail);
  }
  const auto payload = bytes.subspan(kHeaderSize);
  if (payload.size() != h.header.size) {
    return failure(MessageError::payload_size_mismatch, h.header.size);
  }
  const std::uint32_t number = h.header.request;
  if (number == 0 || number > static_cast<std::uint32_t>(Request::last_defined)) {
    return failure(MessageError::unknown_request, number);
  }

  Message m{static_cast<Request>(number), h.header.flags, {}};
  const PayloadDecoder p(payload, fds);
  switch (m.request) {
    case Request::get_features:
    case Request::get_protocol_features:
    case Request::set_owner:
    case Request::reset_owner:
    case Request::get_queue_num:
    case Request::reset_device:
      return p.empty(std::move(m));
    case Request::set_features:
    case Request::set_protocol_features:
      return p.u64(std::move(m));
    case Request::set_vring_num:
    case Request::set_vring_base:
    case Request::get_vring_base:
    case Request::set_vring_enable:
      return p.vring_state(std::move(m));
    case Request::set_vring_addr:
      return p.vring_address(std::move(m));
    case Request::set_vring_kick:
    case Request::set_vring_call:
    case Request::set_vring_err:
      return p.vring_file(std::move(m));
    case Request::set_mem_table:
      return p.memory_table(std::move(m));
    case Request::get_config:
    case Request::set_config:
      return p.device_config(std::move(m));
    default:
      return failure(MessageError::unsupported_request, number);
  }
}

bool has_reply_body(Request request) noexcept {
  switch (request) {
    case Request::get_features:
    case Request::get_protocol_features:
    case Request::get_vring_base:
    case Request::get_queue_num:
    case Request::get_config:
      return true;
    default:
      return false;
  }
}

}  // namespace vmesh::vhost
