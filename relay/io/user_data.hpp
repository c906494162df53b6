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
  reload_done = 6,  // the TopologyLoader's eventfd
};

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
