// The 64-bit io_uring user_data of every relay operation: what the operation was, on
// which slot, and the slot's generation when it was submitted, so a completion that
// arrives after its connection was closed and the slot reused is recognised and dropped.
#pragma once

#include <cstdint>

namespace vmesh::relay {

enum class OpKind : std::uint8_t {
  accept = 1,
  recv = 2,
  send = 3,
  signal = 4,
  stats_write = 5,
  reload_done = 6,   // the TopologyLoader's eventfd
  vhost_socket = 7,  // a vhost-user socket became readable (poll)
  vhost_kick = 8,    // a guest kicked a queue (eventfd read); slot field: see vhost_kick_slot
  cancel = 9,        // the completion of a cancel request (nothing to do)
  handover = 10,     // the handover socket has a new relay waiting (poll)
};

// The slot field of a kick read: the connection's slot (20 bits), the queue (1 bit) and the
// queue's kick serial (11 bits), so the read of a kick eventfd the guest has replaced since
// is told apart from the current one.
constexpr std::uint32_t vhost_kick_slot(std::uint32_t slot, std::uint32_t queue,
                                        std::uint32_t serial) {
  return (slot & 0xfffffu) | ((queue & 1u) << 20) | ((serial & 0x7ffu) << 21);
}
struct KickTag {
  std::uint32_t slot;
  std::uint32_t queue;
  std::uint32_t serial;
};
constexpr KickTag decode_kick_slot(std::uint32_t field) {
  return {field & 0xfffffu, (field >> 20) & 1u, (field >> 21) & 0x7ffu};
}

struct OpTag {
  OpKind kind;
  std::uint32_t generation;  // 24 bits used
  std::uint32_t slot;
};

constexpr std::uint64_t encode_op(OpKind kind, std::uint32_t generation, std::uint32_t slot) {
  return (std::uint64_t{static_cast<std::uint8_t>(kind)} << 56) |
         (std::uint64_t{generation & 0xffffffu} << 32) | slot;
}

// The generation after `generation`: a slot's counter wraps within the 24 bits a tag keeps.
constexpr std::uint32_t next_generation(std::uint32_t generation) {
  return (generation + 1) & 0xffffffu;
}

// Whether a completion was submitted for the slot's current user (generation), not for
// one that closed before the slot was reused.
constexpr bool is_current(const OpTag& tag, std::uint32_t generation) {
  return tag.generation == (generation & 0xffffffu);
}

constexpr OpTag decode_op(std::uint64_t user_data) {
  return {static_cast<OpKind>(user_data >> 56),
          static_cast<std::uint32_t>((user_data >> 32) & 0xffffffu),
          static_cast<std::uint32_t>(user_data & 0xffffffffu)};
}

}  // namespace vmesh::relay
