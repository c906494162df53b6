// A single-producer single-consumer ring of variable-length byte records, lock-free:
// the relay's event loop pushes, the capture writer thread drains. Neither side ever
// waits for the other, so a writer that is descheduled (it runs at the lowest priority)
// cannot hold up forwarding. A record is stored contiguously; when it does not fit before
// the end of the storage, a wrap marker sends the reader back to offset 0.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace vmesh::capture {

class RecordRing {
 public:
  // `capacity_bytes` is rounded up to a power of two (at least 4 KiB).
  explicit RecordRing(std::size_t capacity_bytes);

  std::size_t capacity() const { return capacity_; }

  // Producer: reserves room for a record of `bytes`, or returns an empty span when the
  // ring is too full. Fill the span, then commit(). One reservation at a time.
  std::span<std::uint8_t> reserve(std::size_t bytes) noexcept;
  void commit() noexcept;

  // Consumer: calls `visit(std::span<const std::uint8_t>)` for every committed record in
  // order and frees them; returns how many were visited.
  template <typename Visit>
  std::size_t drain(Visit&& visit) {
    std::size_t visited = 0;
    std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    while (tail != head) {
      const std::size_t at = static_cast<std::size_t>(tail & (capacity_ - 1));
      const std::uint32_t length = load_length(at);
      if (length == kWrapMarker) {
        tail += capacity_ - at;
        continue;
      }
      visit(std::span<const std::uint8_t>(storage_.get() + at + kLengthBytes, length));
      tail += round_up(kLengthBytes + length);
      ++visited;
      // Freed per record so a long drain hands room back to the producer early.
      tail_.store(tail, std::memory_order_release);
    }
    tail_.store(tail, std::memory_order_release);
    return visited;
  }

 private:
  static constexpr std::size_t kLengthBytes = 4;
  static constexpr std::uint32_t kWrapMarker = 0xffffffffu;
  static std::size_t round_up(std::size_t bytes) { return (bytes + 7) & ~std::size_t{7}; }
  std::uint32_t load_length(std::size_t at) const;
  void store_length(std::size_t at, std::uint32_t length);

  std::size_t capacity_;
  std::unique_ptr<std::uint8_t[]> storage_;
  // Monotonic byte positions (never wrapped); each on its own cache line so the two
  // threads do not share one.
  alignas(64) std::atomic<std::uint64_t> head_{0};  // written by the producer
  alignas(64) std::atomic<std::uint64_t> tail_{0};  // written by the consumer
  alignas(64) std::uint64_t reserved_head_ = 0;     // producer only: head after commit()
  std::uint64_t cached_tail_ = 0;                   // producer only: last tail it read
};

}  // namespace vmesh::capture
