// A fixed-size log-linear histogram of latencies in nanoseconds: constant memory and
// O(1) recording, so every delivery can be recorded at millions per second. Values below
// 256 ns are exact; above, each bucket spans at most 1/128 of its value (< 0.8 % error).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace vmesh::bench {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 8;
  static constexpr std::uint64_t kSubBuckets = 1u << kSubBucketBits;  // 256
  static constexpr std::uint64_t kHalfSubBuckets = kSubBuckets / 2;   // 128
  static constexpr std::size_t kBucketCount = kSubBuckets + (64 - kSubBucketBits) * kHalfSubBuckets;

  // Adds one sample. Never throws.
  void record(std::uint64_t value_ns) noexcept {
    ++counts_[index_of(value_ns)];
    ++count_;
    if (value_ns > max_ns_) max_ns_ = value_ns;
    if (value_ns < min_ns_) min_ns_ = value_ns;
  }

  // Adds every sample of `other` (used to merge per-thread histograms).
  void merge(const LatencyHistogram& other) noexcept;

  // Value at quantile q in [0, 1] by nearest rank: the smallest recorded bucket such that
  // at least q of the samples are at or below it, reported as the bucket's midpoint and
  // clamped to [min, max]. 0 when empty.
  std::uint64_t percentile_ns(double q) const noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t max_ns() const noexcept { return count_ == 0 ? 0 : max_ns_; }
  std::uint64_t min_ns() const noexcept { return count_ == 0 ? 0 : min_ns_; }

  // Bucket helpers, public so the tests can check the error bound.
  static std::size_t index_of(std::uint64_t value) noexcept;
  static std::uint64_t lower_bound_of(std::size_t index) noexcept;
  static std::uint64_t upper_bound_of(std::size_t index) noexcept;  // inclusive

 private:
  std::array<std::uint64_t, kBucketCount> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ns_ = 0;
  std::uint64_t min_ns_ = UINT64_MAX;
};

}  // namespace vmesh::bench
