// The vhost-user wire codec (QEMU docs/interop/vhost-user.rst), sans-I/O: a 12-byte header
// (request u32, flags u32, payload size u32, host byte order) and a payload whose layout
// depends on the request. File descriptors travel beside the bytes as SCM_RIGHTS; the
// decoder takes them as plain numbers and never closes, dups or keeps them: on any error,
// and for every fd a decoded message does not carry, closing is the caller's job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "relay/vhost/guest_memory.hpp"

namespace vmesh::vhost {

enum class Request : std::uint32_t {
  none = 0,
  get_features = 1,
  set_features = 2,
  set_owner = 3,
  reset_owner = 4,
  set_mem_table = 5,
  set_log_base = 6,
  set_log_fd = 7,
  set_vring_num = 8,
  set_vring_addr = 9,
  set_vring_base = 10,
  get_vring_base = 11,
  set_vring_kick = 12,
  set_vring_call = 13,
  set_vring_err = 14,
  get_protocol_features = 15,
  set_protocol_features = 16,
  get_queue_num = 17,
  set_vring_enable = 18,
  get_config = 24,
  set_config = 25,
  reset_device = 34,
  // The last request number the specification defines; above it is unknown.
  last_defined = 40,
};

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::uint32_t kFlagVersion1 = 0x1;
inline constexpr std::uint32_t kFlagVersionMask = 0x3;
inline constexpr std::uint32_t kFlagReply = 0x4;
inline constexpr std::uint32_t kFlagNeedReply = 0x8;
// Largest payload accepted: a config access (12 + kMaxConfigSize) is the biggest we decode.
inline constexpr std::uint32_t kMaxPayloadSize = 4096;
// VHOST_USER_MAX_CONFIG_SIZE.
inline constexpr std::uint32_t kMaxConfigSize = 256;
// Bits of the u64 of SET_VRING_KICK/CALL/ERR.
inline constexpr std::uint64_t kVringFileIndexMask = 0xff;
inline constexpr std::uint64_t kVringFileNoFd = 0x100;

struct Header {
  std::uint32_t request = 0;  // raw: may be a number this codec does not know
  std::uint32_t flags = 0;
  std::uint32_t size = 0;  // payload bytes after the header

  bool need_reply() const noexcept { return (flags & kFlagNeedReply) != 0; }
};

// SET_VRING_NUM/BASE/ENABLE, GET_VRING_BASE (request and reply).
struct VringState {
  std::uint32_t index = 0;
  std::uint32_t num = 0;
  friend bool operator==(const VringState&, const VringState&) = default;
};

// SET_VRING_ADDR. The ring addresses are QEMU user addresses (no IOMMU negotiated).
struct VringAddress {
  std::uint32_t index = 0;
  std::uint32_t flags = 0;  // bit 0: log used ring writes (VHOST_VRING_F_LOG)
  std::uint64_t desc_user_addr = 0;
  std::uint64_t used_user_addr = 0;
  std::uint64_t avail_user_addr = 0;
  std::uint64_t log_guest_addr = 0;
  friend bool operator==(const VringAddress&, const VringAddress&) = default;
};

// SET_VRING_KICK/CALL/ERR: a queue and its eventfd, or none (polling).
struct VringFile {
  std::uint8_t index = 0;
  int fd = -1;  // -1 when the no-fd flag is set
  friend bool operator==(const VringFile&, const VringFile&) = default;
};

// SET_MEM_TABLE: regions and their fds, in the same order.
struct MemoryTable {
  std::vector<MemoryRegion> regions;
  std::vector<int> fds;
  friend bool operator==(const MemoryTable&, const MemoryTable&) = default;
};

// GET_CONFIG (request and reply) and SET_CONFIG.
struct DeviceConfig {
  std::uint32_t offset = 0;
  std::uint32_t flags = 0;
  std::vector<std::uint8_t> bytes;  // the config space bytes; its size is the access size
  friend bool operator==(const DeviceConfig&, const DeviceConfig&) = default;
};

using Payload = std::variant<std::monostate, std::uint64_t, VringState, VringAddress, VringFile,
                             MemoryTable, DeviceConfig>;

struct Message {
  Request request = Request::none;
  std::uint32_t flags = kFlagVersion1;
  Payload payload;

  bool need_reply() const noexcept { return (flags & kFlagNeedReply) != 0; }
};

enum class MessageError : std::uint8_t {
  none,
  bad_version,            // flags' version bits are not 1
  reply_flag_set,         // a request that claims to be a reply
  payload_too_large,      // header size above kMaxPayloadSize
  unknown_request,        // a request number the specification does not define
  unsupported_request,    // defined, but not one a hwsim back-end handles
  payload_size_mismatch,  // size differs from what the request's payload needs
  too_many_regions,       // SET_MEM_TABLE with more than kMaxMemoryRegions
  fd_count_mismatch,      // fds differ from what the request carries
  reserved_bits_set,      // SET_VRING_KICK/CALL/ERR u64 with bits above 8
  config_too_large,       // GET/SET_CONFIG size above kMaxConfigSize
};

// E.g. "payload size does not match the request".
std::string_view describe(MessageError error) noexcept;

enum class DecodeStatus : std::uint8_t { complete, need_more, malformed };

struct HeaderResult {
  DecodeStatus status = DecodeStatus::need_more;
  MessageError error = MessageError::none;
  Header header;
};

// Reads the header at the front of `bytes` (need_more below 12 bytes) and checks what can
// be checked from it alone: version, reply flag, payload size bound. The whole message is
// kHeaderSize + header.size bytes. No throws.
HeaderResult decode_header(std::span<const std::uint8_t> bytes) noexcept;

struct MessageResult {
  MessageError error = MessageError::none;
  std::uint32_t detail = 0;  // the offending request number, size, count or bits
  Message message;

  bool ok() const noexcept { return error == MessageError::none; }
};

// Decodes one whole message (header + exactly header.size payload bytes) and the fds that
// arrived with it. No throws except bad_alloc.
MessageResult decode_message(std::span<const std::uint8_t> bytes, std::span<const int> fds);

// True for requests whose reply has a body of its own (GET_*); REPLY_ACK does not apply.
bool has_reply_body(Request request) noexcept;

// Replies from the back-end (flags: version 1 | reply).
std::vector<std::uint8_t> encode_u64_reply(Request request, std::uint64_t value);
std::vector<std::uint8_t> encode_vring_state_reply(Request request, VringState state);
std::vector<std::uint8_t> encode_config_reply(const DeviceConfig& config);
// The REPLY_ACK answer to a need_reply request: u64 0 on success, 1 on failure.
std::vector<std::uint8_t> encode_ack_reply(Request request, bool success);

// A front-end's request (tests and fake front-ends). The fds of `message` (memory table,
// vring file) are not in the bytes: send them as SCM_RIGHTS beside them.
std::vector<std::uint8_t> encode_request(const Message& message);

}  // namespace vmesh::vhost
