#include "relay/capture/record_ring.hpp"

#include <bit>
#include <cstring>

namespace vmesh::capture {

RecordRing::RecordRing(std::size_t capacity_bytes)
    : capacity_(std::bit_ceil(capacity_bytes < 4096 ? std::size_t{4096} : capacity_bytes)),
      // Not zero-filled: untouched pages cost nothing until the ring first reaches them.
      storage_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity_)) {}

std::uint32_t RecordRing::load_length(std::size_t at) const {
  std::uint32_t length;
  std::memcpy(&length, storage_.get() + at, sizeof(length));
  return length;
}

void RecordRing::store_length(std::size_t at, std::uint32_t length) {
  std::memcpy(storage_.get() + at, &length, sizeof(length));
}

std::span<std::uint8_t> RecordRing::reserve(std::size_t bytes) noexcept {
  const std::size_t total = round_up(kLengthBytes + bytes);
  if (total > capacity_ / 2) return {};
  std::uint64_t head = head_.load(std::memory_order_relaxed);
  std::size_t at = static_cast<std::size_t>(head & (capacity_ - 1));
  const std::size_t skip = at + total > capacity_ ? capacity_ - at : 0;
  const auto fits = [&] { return head + skip + total - cached_tail_ <= capacity_; };
  if (!fits()) {
    cached_tail_ = tail_.load(std::memory_order_acquire);
    if (!fits()) return {};
  }
  if (skip > 0) {
    store_length(at, kWrapMarker);
    head += skip;
    at = 0;
  }
  store_length(at, static_cast<std::uint32_t>(bytes));
  reserved_head_ = head + total;
  return {storage_.get() + at + kLengthBytes, bytes};
}

void RecordRing::commit() noexcept {
  head_.store(reserved_head_, std::memory_order_release);
}

}  // namespace vmesh::capture
