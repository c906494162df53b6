#include "bench/loadgen/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace vmesh::bench {
namespace {

// Nearest-rank percentile of a sorted sample, the definition the histogram approximates.
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double q) {
  const auto rank = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

void expect_close(std::uint64_t actual, std::uint64_t expected, double tolerance) {
  const double error = std::abs(static_cast<double>(actual) - static_cast<double>(expected));
  EXPECT_LE(error, tolerance * static_cast<double>(expected))
      << "actual " << actual << " expected " << expected;
}

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile_ns(0.5), 0u);
  EXPECT_EQ(h.max_ns(), 0u);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile_ns(0.50), 50u);
  EXPECT_EQ(h.percentile_ns(0.90), 90u);
  EXPECT_EQ(h.percentile_ns(0.99), 99u);
  EXPECT_EQ(h.percentile_ns(1.0), 100u);
  EXPECT_EQ(h.percentile_ns(0.0), 1u);
  EXPECT_EQ(h.max_ns(), 100u);
  EXPECT_EQ(h.min_ns(), 1u);
}

TEST(LatencyHistogram, UniformDistributionWithinOnePercent) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 1'000'000; ++v) h.record(v);
  expect_close(h.percentile_ns(0.50), 500'000, 0.01);
  expect_close(h.percentile_ns(0.90), 900'000, 0.01);
  expect_close(h.percentile_ns(0.99), 990'000, 0.01);
  EXPECT_EQ(h.max_ns(), 1'000'000u);
}

TEST(LatencyHistogram, SkewedDistributionMatchesExactPercentiles) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(30'000.0), 1.0);  // ~30 us median
  LatencyHistogram h;
  std::vector<std::uint64_t> samples;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    samples.push_back(v);
    h.record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (const double q : {0.5, 0.9, 0.99, 0.999}) {
    expect_close(h.percentile_ns(q), exact_percentile(samples, q), 0.01);
  }
  EXPECT_EQ(h.max_ns(), samples.back());
}

TEST(LatencyHistogram, TwoPointDistributionPicksTheRightMode) {
  LatencyHistogram h;
  for (int i = 0; i < 95; ++i) h.record(10'000);
  for (int i = 0; i < 5; ++i) h.record(5'000'000);
  expect_close(h.percentile_ns(0.50), 10'000, 0.01);
  expect_close(h.percentile_ns(0.95), 10'000, 0.01);
  expect_close(h.percentile_ns(0.96), 5'000'000, 0.01);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithBoundedWidth) {
  for (std::size_t i = 0; i + 1 < LatencyHistogram::kBucketCount; ++i) {
    const auto lo = LatencyHistogram::lower_bound_of(i);
    const auto hi = LatencyHistogram::upper_bound_of(i);
    ASSERT_EQ(LatencyHistogram::index_of(lo), i);
    ASSERT_EQ(LatencyHistogram::index_of(hi), i);
    ASSERT_EQ(hi + 1, LatencyHistogram::lower_bound_of(i + 1));
    ASSERT_LE(static_cast<double>(hi - lo), static_cast<double>(lo) / 128.0 + 1e-9);
  }
  EXPECT_EQ(LatencyHistogram::index_of(UINT64_MAX), LatencyHistogram::kBucketCount - 1);
}

TEST(LatencyHistogram, MergeAddsSamples) {
  LatencyHistogram a;
  LatencyHistogram b;
  for (std::uint64_t v = 1; v <= 50; ++v) a.record(v);
  for (std::uint64_t v = 51; v <= 100; ++v) b.record(v);
  a.merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.percentile_ns(0.5), 50u);
  EXPECT_EQ(a.max_ns(), 100u);
  EXPECT_EQ(a.min_ns(), 1u);
}

}  // namespace
}  // namespace vmesh::bench
