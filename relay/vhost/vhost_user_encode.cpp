// Encoders of vhost_user_message.hpp: replies for the back-end, requests for tests and
// fake front-ends. The layouts mirror the decoder's.
#include <cstring>
#include <type_traits>

#include "relay/vhost/vhost_user_message.hpp"

namespace vmesh::vhost {
namespace {

class Writer {
 public:
  template <typename T>
  requires std::is_trivially_copyable_v<T>
  void put(T value) {
    const auto at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &value, sizeof(T));
  }
  void put_bytes(std::span<const std::uint8_t> bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
};

void put_payload(Writer& w, const Payload& payload) {
  std::visit(
      [&w](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::uint64_t>) {
          w.put(p);
        } else if constexpr (std::is_same_v<T, VringState>) {
          w.put(p.index);
          w.put(p.num);
        } else if constexpr (std::is_same_v<T, VringAddress>) {
          w.put(p.index);
          w.put(p.flags);
          w.put(p.desc_user_addr);
          w.put(p.used_user_addr);
          w.put(p.avail_user_addr);
          w.put(p.log_guest_addr);
        } else if constexpr (std::is_same_v<T, VringFile>) {
          w.put(std::uint64_t{p.index} | (p.fd < 0 ? kVringFileNoFd : 0));
        } else if constexpr (std::is_same_v<T, MemoryTable>) {
          w.put(static_cast<std::uint32_t>(p.regions.size()));
          w.put(std::uint32_t{0});
          for (const auto& r : p.regions) {
            w.put(r.guest_addr);
            w.put(r.size);
            w.put(r.user_addr);
            w.put(r.mmap_offset);
          }
        } else if constexpr (std::is_same_v<T, DeviceConfig>) {
          w.put(p.offset);
          w.put(static_cast<std::uint32_t>(p.bytes.size()));
          w.put(p.flags);
          w.put_bytes(p.bytes);
        }
      },
      payload);
}

std::vector<std::uint8_t> encode(Request request, std::uint32_t flags, const Payload& payload) {
  Writer body;
  put_payload(body, payload);
  const auto payload_bytes = body.take();
  Writer w;
  w.put(static_cast<std::uint32_t>(request));
  w.put(flags);
  w.put(static_cast<std::uint32_t>(payload_bytes.size()));
  w.put_bytes(payload_bytes);
  return w.take();
}

constexpr std::uint32_t kReplyFlags = kFlagVersion1 | kFlagReply;

}  // namespace

std::vector<std::uint8_t> encode_u64_reply(Request request, std::uint64_t value) {
  return encode(request, kReplyFlags, value);
}

std::vector<std::uint8_t> encode_vring_state_reply(Request request, VringState state) {
  return encode(request, kReplyFlags, state);
}

std::vector<std::uint8_t> encode_config_reply(const DeviceConfig& config) {
  return encode(Request::get_config, kReplyFlags, config);
}

std::vector<std::uint8_t> encode_ack_reply(Request request, bool success) {
  return encode_u64_reply(request, success ? 0 : 1);
}

std::vector<std::uint8_t> encode_request(const Message& message) {
  return encode(message.request, message.flags, message.payload);
}

}  // namespace vmesh::vhost
