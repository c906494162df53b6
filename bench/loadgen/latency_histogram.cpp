#include "bench/loadgen/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace vmesh::bench {

// Layout: indices [0, 256) hold the values 0..255 exactly. Above, a value whose highest set
// bit is b (b >= 8) is shifted right by s = b - 7 so that its top eight bits t lie in
// [128, 256); it lands in index 256 + (s - 1) * 128 + (t - 128).
std::size_t LatencyHistogram::index_of(std::uint64_t value) noexcept {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  const auto high_bit = static_cast<unsigned>(63 - std::countl_zero(value));
  const unsigned shift = high_bit - (kSubBucketBits - 1);
  const std::uint64_t top = value >> shift;
  return static_cast<std::size_t>(kSubBuckets + (shift - 1) * kHalfSubBuckets +
                                  (top - kHalfSubBuckets));
}

std::uint64_t LatencyHistogram::lower_bound_of(std::size_t index) noexcept {
  if (index < kSubBuckets) return index;
  const std::size_t rest = index - kSubBuckets;
  const std::size_t shift = rest / kHalfSubBuckets + 1;
  const std::uint64_t top = kHalfSubBuckets + rest % kHalfSubBuckets;
  return top << shift;
}

std::uint64_t LatencyHistogram::upper_bound_of(std::size_t index) noexcept {
  if (index < kSubBuckets) return index;
  const std::size_t rest = index - kSubBuckets;
  const std::size_t shift = rest / kHalfSubBuckets + 1;
  return lower_bound_of(index) + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ns_ = std::max(max_ns_, other.max_ns_);
  min_ns_ = std::min(min_ns_, other.min_ns_);
}

std::uint64_t LatencyHistogram::percentile_ns(double q) const noexcept {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Nearest rank: the sample at position ceil(q * n), at least the first one.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::uint64_t lo = lower_bound_of(i);
      const std::uint64_t mid = lo + (upper_bound_of(i) - lo) / 2;
      return std::clamp(mid, min_ns_, max_ns_);
    }
  }
  return max_ns_;
}

}  // namespace vmesh::bench
