#include "relay/vhost/guest_memory.hpp"

#include <limits>

namespace vmesh::vhost {
namespace {

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

// Whether [addr, addr + len) runs past 2^64 - 1 (len >= 1). A range whose last byte is
// 2^64 - 1 is fine, so compare last bytes, never one-past-the-end addresses.
bool wraps(std::uint64_t addr, std::uint64_t len) {
  return len - 1 > kMaxU64 - addr;
}

// Ranges [a, a + a_len) and [b, b + b_len), non-empty and not wrapping.
bool overlaps(std::uint64_t a, std::uint64_t a_len, std::uint64_t b, std::uint64_t b_len) {
  return a <= b + (b_len - 1) && b <= a + (a_len - 1);
}

}  // namespace

std::string_view describe(MemoryError error) noexcept {
  switch (error) {
    case MemoryError::none:
      return "no error";
    case MemoryError::outside_memory:
      return "address is in no memory region";
    case MemoryError::crosses_region:
      return "range crosses the end of its memory region";
    case MemoryError::address_overflow:
      return "address + length wraps around";
    case MemoryError::too_many_regions:
      return "more than 8 memory regions";
    case MemoryError::empty_region:
      return "memory region of size 0";
    case MemoryError::region_overflow:
      return "memory region wraps around the address space";
    case MemoryError::regions_overlap:
      return "memory regions overlap";
    case MemoryError::host_size_mismatch:
      return "mapped bytes differ from the region's size";
  }
  return "unknown memory error";
}

MemoryError GuestMemory::add_region(const MemoryRegion& region, std::span<std::uint8_t> host) {
  if (regions_.size() >= kMaxMemoryRegions) return MemoryError::too_many_regions;
  if (region.size == 0) return MemoryError::empty_region;
  if (wraps(region.guest_addr, region.size) || wraps(region.user_addr, region.size)) {
    return MemoryError::region_overflow;
  }
  if (host.size() != region.size) return MemoryError::host_size_mismatch;
  for (const auto& m : regions_) {
    if (overlaps(m.region.guest_addr, m.region.size, region.guest_addr, region.size) ||
        overlaps(m.region.user_addr, m.region.size, region.user_addr, region.size)) {
      return MemoryError::regions_overlap;
    }
  }
  regions_.push_back({region, host.data()});
  return MemoryError::none;
}

HostRange GuestMemory::translate_guest(std::uint64_t addr, std::uint64_t len) const noexcept {
  return translate(addr, len, false);
}

HostRange GuestMemory::translate_user(std::uint64_t addr, std::uint64_t len) const noexcept {
  return translate(addr, len, true);
}

HostRange GuestMemory::translate(std::uint64_t addr, std::uint64_t len, bool user) const noexcept {
  if (len == 0) return {};
  // Checked before any sum so that no comparison below can wrap.
  if (wraps(addr, len)) return {{}, MemoryError::address_overflow};
  for (const auto& m : regions_) {
    const std::uint64_t base = user ? m.region.user_addr : m.region.guest_addr;
    if (addr < base || addr - base >= m.region.size) continue;
    const std::uint64_t offset = addr - base;
    if (len > m.region.size - offset) return {{}, MemoryError::crosses_region};
    return {{m.host + offset, static_cast<std::size_t>(len)}, MemoryError::none};
  }
  return {{}, MemoryError::outside_memory};
}

}  // namespace vmesh::vhost
