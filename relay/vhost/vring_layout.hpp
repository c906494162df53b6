// The split virtqueue's memory layout (virtio 1.x, "Split Virtqueues"), little-endian as
// virtio 1.x requires (and as x86 is). Facts only; SplitVring does the reading and writing.
//
//   descriptor table: size × { u64 addr; u32 len; u16 flags; u16 next; }   (16-byte aligned)
//   available ring:   u16 flags; u16 idx; u16 ring[size]; u16 used_event;   (2-byte aligned)
//   used ring:        u16 flags; u16 idx; {u32 id; u32 len} ring[size]; u16 avail_event
//                                                                          (4-byte aligned)
// used_event and avail_event exist only when VIRTIO_RING_F_EVENT_IDX is negotiated.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vmesh::vhost {

inline constexpr std::uint32_t kMaxQueueSize = 32768;

// Descriptor flags.
inline constexpr std::uint16_t kDescFlagNext = 1;      // `next` continues the chain
inline constexpr std::uint16_t kDescFlagWrite = 2;     // device-writable (else device-readable)
inline constexpr std::uint16_t kDescFlagIndirect = 4;  // addr/len is a table of descriptors

// Available ring flags (driver -> device): "don't interrupt me" (without EVENT_IDX).
inline constexpr std::uint16_t kAvailFlagNoInterrupt = 1;
// Used ring flags (device -> driver): "don't kick me" (without EVENT_IDX).
inline constexpr std::uint16_t kUsedFlagNoNotify = 1;

inline constexpr std::size_t kDescSize = 16;
inline constexpr std::size_t kDescAlign = 16;
inline constexpr std::size_t kAvailAlign = 2;
inline constexpr std::size_t kUsedAlign = 4;
inline constexpr std::size_t kUsedElemSize = 8;
inline constexpr std::size_t kRingHeaderSize = 4;  // flags + idx, both rings

constexpr std::size_t desc_table_bytes(std::uint32_t size) {
  return kDescSize * size;
}
constexpr std::size_t avail_ring_bytes(std::uint32_t size, bool event_idx) {
  return kRingHeaderSize + 2 * std::size_t{size} + (event_idx ? 2 : 0);
}
constexpr std::size_t used_ring_bytes(std::uint32_t size, bool event_idx) {
  return kRingHeaderSize + kUsedElemSize * size + (event_idx ? 2 : 0);
}

// One descriptor as read from guest memory (copied once, then validated: the guest may
// rewrite the original at any moment).
struct Descriptor {
  std::uint64_t addr = 0;
  std::uint32_t len = 0;
  std::uint16_t flags = 0;
  std::uint16_t next = 0;
};

// The event-index rule: notify when `event` lies in [old_idx, new_idx), modulo 2^16.
constexpr bool need_event(std::uint16_t event, std::uint16_t new_idx, std::uint16_t old_idx) {
  return static_cast<std::uint16_t>(new_idx - event - 1) <
         static_cast<std::uint16_t>(new_idx - old_idx);
}

}  // namespace vmesh::vhost
