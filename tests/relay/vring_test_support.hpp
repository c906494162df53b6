// A guest in plain memory for the vring tests: one memory region holding a split ring
// (descriptor table, available ring, used ring) followed by a data area, written the way
// a virtio driver would, and read back the way the driver would see the device's work.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "relay/vhost/guest_memory.hpp"
#include "relay/vhost/split_vring.hpp"
#include "relay/vhost/vring_layout.hpp"

namespace vmesh::vhost::testing {

inline constexpr std::uint64_t kGuestBase = 0x100000;
inline constexpr std::uint64_t kUserBase = 0x7f1200000000;

constexpr std::size_t align_up(std::size_t n, std::size_t a) {
  return (n + a - 1) / a * a;
}

class TestGuest {
 public:
  explicit TestGuest(std::uint32_t queue_size, std::size_t data_bytes = 64 * 1024)
      : queue_size_(queue_size),
        avail_off_(desc_table_bytes(queue_size)),
        used_off_(align_up(avail_off_ + avail_ring_bytes(queue_size, true), 4096)),
        data_off_(align_up(used_off_ + used_ring_bytes(queue_size, true), 4096)),
        words_((data_off_ + data_bytes) / 8, 0) {
    region_ = {kGuestBase, bytes().size(), kUserBase, 0};
    memory.add_region(region_, bytes());
  }

  std::span<std::uint8_t> bytes() {
    return {reinterpret_cast<std::uint8_t*>(words_.data()), words_.size() * 8};
  }
  const MemoryRegion& region() const { return region_; }

  // The config a front-end would send for this ring.
  VringConfig config(bool event_idx = false, bool indirect = false,
                     std::uint16_t avail_base = 0) const {
    return {queue_size_, kUserBase, kUserBase + avail_off_, kUserBase + used_off_, avail_base,
            event_idx,   indirect};
  }

  // Guest physical address of byte `offset` of the data area, and its host pointer.
  std::uint64_t data_gpa(std::size_t offset = 0) const { return kGuestBase + data_off_ + offset; }
  std::uint8_t* data(std::size_t offset = 0) { return bytes().data() + data_off_ + offset; }
  std::uint64_t gpa_of(std::size_t region_offset) const { return kGuestBase + region_offset; }
  std::size_t data_offset() const { return data_off_; }

  // Writes descriptor `index` of the table at region offset `table_off` (0: the ring's).
  void set_desc(std::uint32_t index, std::uint64_t addr, std::uint32_t len, std::uint16_t flags,
                std::uint16_t next = 0, std::size_t table_off = 0) {
    std::uint8_t* p = bytes().data() + table_off + kDescSize * index;
    put(p, addr);
    put(p + 8, len);
    put(p + 12, flags);
    put(p + 14, next);
  }

  // Makes `head` available: ring slot at avail idx, then idx + 1.
  void make_available(std::uint16_t head) {
    const std::uint16_t idx = avail_idx();
    put(avail() + 4 + 2 * (idx & (queue_size_ - 1)), head);
    set_avail_idx(static_cast<std::uint16_t>(idx + 1));
  }

  std::uint16_t avail_idx() { return get<std::uint16_t>(avail() + 2); }
  void set_avail_idx(std::uint16_t idx) { put(avail() + 2, idx); }
  void set_avail_flags(std::uint16_t flags) { put(avail(), flags); }
  void set_used_event(std::uint16_t idx) { put(avail() + 4 + 2 * queue_size_, idx); }

  std::uint16_t used_idx() { return get<std::uint16_t>(used() + 2); }
  void set_used_idx(std::uint16_t idx) { put(used() + 2, idx); }
  std::uint32_t used_id(std::uint32_t slot) { return get<std::uint32_t>(used() + 4 + 8 * slot); }
  std::uint32_t used_len(std::uint32_t slot) { return get<std::uint32_t>(used() + 8 + 8 * slot); }
  std::uint16_t avail_event() { return get<std::uint16_t>(used() + 4 + 8 * queue_size_); }

  GuestMemory memory;

 private:
  std::uint8_t* avail() { return bytes().data() + avail_off_; }
  std::uint8_t* used() { return bytes().data() + used_off_; }
  template <typename T>
  static void put(std::uint8_t* p, T v) {
    std::memcpy(p, &v, sizeof v);
  }
  template <typename T>
  static T get(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }

  std::uint32_t queue_size_;
  std::size_t avail_off_;
  std::size_t used_off_;
  std::size_t data_off_;
  std::vector<std::uint64_t> words_;
  MemoryRegion region_;
};

}  // namespace vmesh::vhost::testing
