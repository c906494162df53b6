// The records of a vhost-user handover, sans-I/O: what a stopping relay hands a new relay
// so that QEMU's vhost-user connections live on without the front end noticing. One record
// per SOCK_SEQPACKET message; file descriptors travel beside the bytes as SCM_RIGHTS, in
// the order the record names them. Both ends run on one host: integers are in host order.
//
//   header   u32 magic "VMHO", u16 version, u16 kind, u32 body bytes (exactly the rest)
//   hello    u32 giver pid, u32 listeners, u32 connections          (giver, first)
//   listener name; fds: the node's listening socket
//   conn     name, u64 features, u64 protocol features, u16 hwsim family id,
//            u32 radios + 6 bytes each, u32 regions + 4 x u64 each (guest addr, size, user
//            addr, mmap offset), u32 queues (2) + per queue u32 size, 3 x u64 desc/avail/
//            used user addr, u16 next available index, u16 flags (started, enabled, kick,
//            call, err fd present), u32 half-read input bytes + the bytes, u32 input fds;
//            fds: socket, one per region, kick/call/err where present, the input's fds
//   end      u32 records sent after hello                           (giver, last)
//   ack      u32 connections taken                                  (taker, once all came)
//   name     u16 length (1-255) + bytes
//
// The decoder takes fds as plain numbers and never closes, dups or keeps them: closing
// what a record does not carry (or what a refused record carried) is the caller's job.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/wire/mac_address.hpp"
#include "relay/vhost/guest_memory.hpp"
#include "relay/vhost/virtio_features.hpp"

namespace vmesh::vhost {

inline constexpr std::uint32_t kHandoverMagic = 0x4f484d56;  // "VMHO" in little-endian bytes
inline constexpr std::uint16_t kHandoverVersion = 1;
inline constexpr std::size_t kHandoverHeaderSize = 12;
// No record comes near this: the largest is a connection with a half-read message.
inline constexpr std::size_t kMaxHandoverRecordBytes = 16384;
// socket + regions + 3 per queue + the input's fds.
inline constexpr std::size_t kMaxHandoverFds = 1 + 2 * kMaxMemoryRegions + 3 * kHwsimQueueCount;
// Half-read vhost-user input: at most one message's header and payload (12 + 4096).
inline constexpr std::size_t kMaxHandoverInputBytes = 12 + 4096;
inline constexpr std::size_t kMaxHandoverRadios = 64;

enum class HandoverKind : std::uint16_t {
  hello = 1,
  listener = 2,
  connection = 3,
  end = 4,
  ack = 5
};

struct HandoverHello {
  std::uint32_t pid = 0;  // the giving relay, for the logs
  std::uint32_t listeners = 0;
  std::uint32_t connections = 0;
  friend bool operator==(const HandoverHello&, const HandoverHello&) = default;
};

// A node's listening vhost-user socket (DIR/NODE.sock), so it never stops accepting.
struct HandoverListener {
  std::string node;
  int fd = -1;
  friend bool operator==(const HandoverListener&, const HandoverListener&) = default;
};

// One virtqueue as the back end left it.
struct HandoverQueue {
  std::uint32_t size = 0;
  std::uint64_t desc_user_addr = 0;
  std::uint64_t avail_user_addr = 0;
  std::uint64_t used_user_addr = 0;
  std::uint16_t next_avail = 0;  // the next available index to read (SplitVring::stop)
  bool started = false;
  bool enabled = false;
  int kick_fd = -1;  // -1: none
  int call_fd = -1;
  int err_fd = -1;
  friend bool operator==(const HandoverQueue&, const HandoverQueue&) = default;
};

// One front end: the socket, what was negotiated, its memory and queues, the radios its
// guest used, and the bytes (and fds) of a message read only in part.
struct HandoverConnection {
  std::string node;
  int socket_fd = -1;
  std::uint64_t features = 0;
  std::uint64_t protocol_features = 0;
  std::uint16_t family_id = 0;
  std::vector<wire::MacAddress> radios;
  std::vector<MemoryRegion> regions;
  std::vector<int> region_fds;  // one per region, same order
  std::array<HandoverQueue, kHwsimQueueCount> queues{};
  std::vector<std::uint8_t> input;
  std::vector<int> input_fds;
  friend bool operator==(const HandoverConnection&, const HandoverConnection&) = default;
};

struct HandoverEnd {
  std::uint32_t records = 0;  // listeners + connections sent after hello
  friend bool operator==(const HandoverEnd&, const HandoverEnd&) = default;
};

struct HandoverAck {
  std::uint32_t connections = 0;
  friend bool operator==(const HandoverAck&, const HandoverAck&) = default;
};

using HandoverRecord =
    std::variant<HandoverHello, HandoverListener, HandoverConnection, HandoverEnd, HandoverAck>;

enum class HandoverError : std::uint8_t {
  none,
  short_header,       // fewer than 12 bytes
  bad_magic,          // not a handover record at all
  bad_version,        // another version of this format
  unknown_kind,       // a kind this version does not define
  size_mismatch,      // header's body size differs from the bytes that came
  truncated,          // a field runs past the end of the body
  trailing_bytes,     // bytes left after the last field
  bad_name,           // empty node name, or longer than 255 bytes
  too_many_radios,    // above kMaxHandoverRadios
  too_many_regions,   // above kMaxMemoryRegions
  bad_queue_count,    // not kHwsimQueueCount queues
  bad_queue_flags,    // unknown flag bits
  input_too_large,    // above kMaxHandoverInputBytes
  too_many_fds,       // the input claims more fds than a vhost-user message carries
  fd_count_mismatch,  // the fds that came differ from those the record names
};

// E.g. "record ends inside a field".
std::string_view describe(HandoverError error) noexcept;

struct HandoverDecode {
  HandoverError error = HandoverError::none;
  std::uint64_t detail = 0;  // the offending magic, version, kind, size or count
  HandoverRecord record;

  bool ok() const noexcept { return error == HandoverError::none; }
};

// Decodes one whole record and the fds that came with it. No throws except bad_alloc.
HandoverDecode decode_handover(std::span<const std::uint8_t> bytes, std::span<const int> fds);

struct EncodedHandover {
  std::vector<std::uint8_t> bytes;
  std::vector<int> fds;  // to send as SCM_RIGHTS with the bytes, in this order
};

// The record's bytes and its fds in wire order. Counts are written as they are: a record
// past the format's bounds (a longer name, more radios, regions or input) encodes, and the
// decoder refuses it. region_fds and input_fds are written as given (one per region, and
// the input's own). No throws except bad_alloc.
EncodedHandover encode_handover(const HandoverRecord& record);

}  // namespace vmesh::vhost
