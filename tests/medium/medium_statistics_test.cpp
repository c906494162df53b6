// Statistical properties of the models. Every bound is derived from the parameters and
// the sample size (5 standard deviations unless said otherwise), so a test passes by
// accident with probability below 1e-6 and fails for any materially wrong model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tests/medium/medium_test_support.hpp"

namespace vmesh::medium {
namespace {

using testing::decide_one;
using testing::frame_from;
using testing::make_medium;

std::string pair_with(std::string_view link_keys) {
  return std::string(R"([[node]]
name = "a"
[[node]]
name = "b"
[[link]]
from = "a"
to = "b"
)") + std::string(link_keys);
}

int count_losses(Medium& medium, int frames) {
  int lost = 0;
  for (int i = 0; i < frames; ++i) {
    const Delivery d = decide_one(medium, frame_from(0), 1, static_cast<std::uint64_t>(i) * 1000);
    lost += d.verdict == Verdict::drop_loss ? 1 : 0;
  }
  return lost;
}

TEST(MediumStatistics, BernoulliLossRate) {
  constexpr int kFrames = 20000;
  constexpr double kLoss = 0.3;
  for (std::uint64_t seed : {1U, 2U, 3U}) {
    Medium medium = make_medium(pair_with("loss = 0.3\n"), seed);
    const double rate = count_losses(medium, kFrames) / double{kFrames};
    const double sigma = std::sqrt(kLoss * (1 - kLoss) / kFrames);  // 0.0032
    EXPECT_NEAR(rate, kLoss, 5 * sigma) << "seed " << seed;
  }
}

TEST(MediumStatistics, ZeroLossNeverDropsAndFullLossAlwaysDrops) {
  Medium clean = make_medium(pair_with("loss = 0.0\n"));
  EXPECT_EQ(count_losses(clean, 20000), 0);
  Medium dead = make_medium(pair_with("loss = 1.0\n"));
  EXPECT_EQ(count_losses(dead, 20000), 20000);
}

TEST(MediumStatistics, GilbertElliottBurstLength) {
  // Bad state loses everything, good state nothing: loss runs are exactly the bad runs,
  // geometric with mean 1 / leave.
  constexpr double kEnter = 0.05;
  constexpr double kLeave = 0.25;
  constexpr int kFrames = 200000;
  Medium medium = make_medium(pair_with("burst_loss = { enter = 0.05, leave = 0.25 }\n"), 9);
  int lost = 0;
  int bursts = 0;
  int run = 0;
  double total_run = 0;
  for (int i = 0; i < kFrames; ++i) {
    const bool drop = decide_one(medium, frame_from(0), 1, static_cast<std::uint64_t>(i)).verdict ==
                      Verdict::drop_loss;
    lost += drop ? 1 : 0;
    if (drop) {
      ++run;
    } else if (run > 0) {
      ++bursts;
      total_run += run;
      run = 0;
    }
  }
  ASSERT_GT(bursts, 1000);
  const double mean_burst = total_run / bursts;
  const double burst_sigma =
      std::sqrt((1 - kLeave) / (kLeave * kLeave) / bursts);  // ~0.07 for ~2500 bursts
  EXPECT_NEAR(mean_burst, 1 / kLeave, 5 * burst_sigma);
  // Independent loss at the same average rate would give runs of mean 1 / (1 - 1/6) = 1.2.
  EXPECT_GT(mean_burst, 3.0);

  // Fraction of frames in the bad state: pi = p / (p + r); a two-state chain's sample mean
  // has variance pi (1 - pi) / n * (1 + lambda) / (1 - lambda), lambda = 1 - p - r.
  const double pi = kEnter / (kEnter + kLeave);
  const double lambda = 1 - kEnter - kLeave;
  const double sigma = std::sqrt(pi * (1 - pi) / kFrames * (1 + lambda) / (1 - lambda));
  EXPECT_NEAR(lost / double{kFrames}, pi, 5 * sigma);
}

TEST(MediumStatistics, JitterStaysWithinBoundsWithTheRightMean) {
  constexpr int kFrames = 20000;
  constexpr double kDelay = 10000;
  constexpr double kJitter = 2000;
  Medium medium = make_medium(pair_with("delay = \"10ms\"\njitter = \"2ms\"\nreorder = true\n"));
  std::uint64_t low = UINT64_MAX;
  std::uint64_t high = 0;
  double sum = 0;
  for (int i = 0; i < kFrames; ++i) {
    const Delivery d = decide_one(medium, frame_from(0), 1, static_cast<std::uint64_t>(i) * 10);
    ASSERT_EQ(d.verdict, Verdict::deliver);
    ASSERT_GE(d.delay_us, 8000U);
    ASSERT_LE(d.delay_us, 12000U);
    low = std::min(low, d.delay_us);
    high = std::max(high, d.delay_us);
    sum += static_cast<double>(d.delay_us);
  }
  // Uniform over the 4001 integers in [8000, 12000].
  const double sigma = std::sqrt(((2 * kJitter + 1) * (2 * kJitter + 1) - 1) / 12 / kFrames);
  EXPECT_NEAR(sum / kFrames, kDelay, 5 * sigma);
  // Missing the outer 100 us on one side in 20000 draws: probability (1 - 100/4001)^20000 < 1e-200.
  EXPECT_LT(low, 8100U);
  EXPECT_GT(high, 11900U);
}

TEST(MediumStatistics, WithoutReorderFramesKeepTheirOrder) {
  Medium medium = make_medium(pair_with("delay = \"5ms\"\njitter = \"5ms\"\n"));
  std::uint64_t last_due = 0;
  int held = 0;
  for (std::uint64_t i = 0; i < 20000; ++i) {
    const std::uint64_t now = i * 100;
    const Delivery d = decide_one(medium, frame_from(0), 1, now);
    ASSERT_LE(d.delay_us, 10000U + 100U);
    ASSERT_GE(now + d.delay_us, last_due) << "frame " << i << " overtook the previous one";
    held += now + d.delay_us == last_due ? 1 : 0;
    last_due = now + d.delay_us;
  }
  EXPECT_GT(held, 0);  // with 10 ms of spread and 100 us spacing, order had to be enforced
}

TEST(MediumStatistics, WithReorderFramesMayOvertake) {
  Medium medium = make_medium(pair_with("delay = \"5ms\"\njitter = \"5ms\"\nreorder = true\n"));
  std::uint64_t last_due = 0;
  int overtaken = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const Delivery d = decide_one(medium, frame_from(0), 1, i * 100);
    overtaken += i * 100 + d.delay_us < last_due ? 1 : 0;
    last_due = i * 100 + d.delay_us;
  }
  EXPECT_GT(overtaken, 100);
}

TEST(MediumStatistics, ZeroJitterGivesTheExactDelay) {
  Medium medium = make_medium(pair_with("delay = \"7ms\"\n"));
  for (std::uint64_t i = 0; i < 1000; ++i)
    EXPECT_EQ(decide_one(medium, frame_from(0), 1, i).delay_us, 7000U);
}

TEST(MediumStatistics, TokenBucketLimitsTheRate) {
  // 1 Mbit/s = 125 bytes/ms, burst 3000 B, queue 50 ms. Offer 1000 B every 4 ms (2x the
  // rate) for 10 s. Accepted bytes lie between what the rate lets through and that plus
  // the burst and a full queue; the rest is dropped for the rate.
  Medium medium = make_medium(pair_with("rate = \"1Mbps\"\nburst = 3000\nqueue = \"50ms\"\n"));
  constexpr std::uint64_t kPeriodUs = 4000;
  constexpr int kFrames = 2500;
  constexpr double kBytesPerUs = 0.125;
  int accepted = 0;
  int spaced = 0;
  std::uint64_t last_due = 0;
  bool last_queued = false;
  for (int i = 0; i < kFrames; ++i) {
    const std::uint64_t now = static_cast<std::uint64_t>(i) * kPeriodUs;
    const Delivery d = decide_one(medium, frame_from(0, 1000), 1, now);
    if (d.verdict == Verdict::drop_rate) continue;
    ASSERT_EQ(d.verdict, Verdict::deliver);
    ASSERT_LE(d.delay_us, 50000U) << "queued longer than the queue limit";
    if (last_queued && d.delay_us > 0) {
      // Back to back in the queue, departures are spaced by 1000 B / 125 B/ms = 8 ms.
      ASSERT_GE(now + d.delay_us - last_due, 7999U) << "frame " << i;
      ++spaced;
    }
    last_due = now + d.delay_us;
    last_queued = d.delay_us > 0;
    ++accepted;
  }
  const double elapsed_us = double{(kFrames - 1) * kPeriodUs};
  const double max_accepted = (3000 + kBytesPerUs * (elapsed_us + 50000)) / 1000;  // 1258.7
  const double min_accepted = (kBytesPerUs * elapsed_us - 1000) / 1000;            // 1248.9
  EXPECT_LE(accepted, max_accepted);
  EXPECT_GE(accepted, min_accepted);
  EXPECT_GT(spaced, 1000);
}

TEST(MediumStatistics, TrafficBelowTheRateIsNeitherDroppedNorDelayed) {
  Medium medium = make_medium(pair_with("rate = \"1Mbps\"\n"));
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const Delivery d = decide_one(medium, frame_from(0, 1000), 1, i * 16000);  // 62.5 kB/s
    ASSERT_EQ(d.verdict, Verdict::deliver);
    ASSERT_EQ(d.delay_us, 0U);
  }
}

}  // namespace
}  // namespace vmesh::medium
