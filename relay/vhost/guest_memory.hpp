// The guest's memory as the vhost-user back-end sees it: up to kMaxMemoryRegions regions,
// each known by its guest physical address, its address in QEMU's own process (the "user
// address" ring addresses arrive in) and the host bytes the caller mapped for it. Mapping
// and unmapping are the caller's (mmap of the SET_MEM_TABLE fds); this table only
// translates, so tests can hand it plain buffers. No I/O, no throws except bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vmesh::vhost {

// VHOST_MEMORY_MAX_NREGIONS: a SET_MEM_TABLE carries at most this many regions.
inline constexpr std::size_t kMaxMemoryRegions = 8;

// One region as SET_MEM_TABLE describes it (all four fields are u64 on the wire).
struct MemoryRegion {
  std::uint64_t guest_addr = 0;   // guest physical address of the first byte
  std::uint64_t size = 0;         // bytes
  std::uint64_t user_addr = 0;    // where QEMU has the first byte in its own address space
  std::uint64_t mmap_offset = 0;  // offset of the first byte in the region's fd

  friend bool operator==(const MemoryRegion&, const MemoryRegion&) = default;
};

enum class MemoryError : std::uint8_t {
  none,
  outside_memory,     // the first byte is in no region
  crosses_region,     // starts inside a region but runs past its end
  address_overflow,   // addr + len wraps around 2^64
  too_many_regions,   // add_region beyond kMaxMemoryRegions
  empty_region,       // a region of size 0
  region_overflow,    // a region's guest or user range wraps around 2^64
  regions_overlap,    // a new region overlaps an existing one (guest or user range)
  host_size_mismatch  // the host bytes given are not exactly the region's size
};

// E.g. "range crosses the end of its memory region".
std::string_view describe(MemoryError error) noexcept;

// The result of a translation: host bytes, or why there are none.
struct HostRange {
  std::span<std::uint8_t> bytes;
  MemoryError error = MemoryError::none;

  bool ok() const noexcept { return error == MemoryError::none; }
};

class GuestMemory {
 public:
  // Adds a region whose bytes the caller has mapped at `host` (host.size() == region.size).
  // Refuses (and leaves the table unchanged) an empty, wrapping or overlapping region and a
  // ninth one. The table never owns `host`: the caller keeps it mapped while it is in use.
  MemoryError add_region(const MemoryRegion& region, std::span<std::uint8_t> host);

  // Forgets every region (before a new SET_MEM_TABLE; rings must be restarted after).
  void clear() noexcept { regions_.clear(); }

  std::size_t region_count() const noexcept { return regions_.size(); }
  const MemoryRegion& region(std::size_t i) const noexcept { return regions_[i].region; }

  // Host bytes of the guest physical range [addr, addr + len) (descriptor addresses).
  // The whole range must lie in one region. len 0 gives an empty span and never fails.
  HostRange translate_guest(std::uint64_t addr, std::uint64_t len) const noexcept;

  // The same for a range of QEMU user addresses (SET_VRING_ADDR's ring addresses).
  HostRange translate_user(std::uint64_t addr, std::uint64_t len) const noexcept;

 private:
  struct Mapped {
    MemoryRegion region;
    std::uint8_t* host = nullptr;
  };
  HostRange translate(std::uint64_t addr, std::uint64_t len, bool user) const noexcept;

  std::vector<Mapped> regions_;
};

}  // namespace vmesh::vhost
