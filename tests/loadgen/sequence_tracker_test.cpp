#include "bench/loadgen/sequence_tracker.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vmesh::bench {
namespace {

using Outcome = SequenceTracker::Outcome;

TEST(SequenceTracker, InOrderFramesLoseNothing) {
  SequenceTracker tracker(3);
  for (std::uint64_t seq = 0; seq < 100; ++seq) {
    EXPECT_EQ(tracker.observe(1, 0, seq, true), Outcome::in_order);
    EXPECT_EQ(tracker.observe(2, 0, seq, true), Outcome::in_order);
  }
  EXPECT_EQ(tracker.lost(), 0u);
  EXPECT_EQ(tracker.progress(0), 200u);
  EXPECT_EQ(tracker.expected(1, 0), 100u);
  const std::vector<std::uint64_t> sent = {100, 0, 0};
  EXPECT_EQ(tracker.tail_lost(sent), 0u);
}

TEST(SequenceTracker, GapsCountPerDirectedPair) {
  SequenceTracker tracker(3);
  tracker.observe(1, 0, 0, true);
  EXPECT_EQ(tracker.observe(1, 0, 5, true), Outcome::gap);  // 1..4 lost on 0->1
  EXPECT_EQ(tracker.lost(), 4u);
  tracker.observe(2, 0, 0, true);
  tracker.observe(2, 0, 1, true);
  EXPECT_EQ(tracker.observe(0, 2, 3, true), Outcome::gap);  // 0..2 lost on 2->0
  EXPECT_EQ(tracker.lost(), 7u);
  // Progress counts frames seen or known lost: 6 on 0->1, 2 on 0->2.
  EXPECT_EQ(tracker.progress(0), 8u);
}

TEST(SequenceTracker, StaleFramesAreNotLossesNorProgress) {
  SequenceTracker tracker(2);
  tracker.observe(1, 0, 0, true);
  tracker.observe(1, 0, 1, true);
  EXPECT_EQ(tracker.observe(1, 0, 1, true), Outcome::stale);
  EXPECT_EQ(tracker.stale(), 1u);
  EXPECT_EQ(tracker.lost(), 0u);
  EXPECT_EQ(tracker.progress(0), 2u);
}

TEST(SequenceTracker, GapsDuringWarmupAreNotCounted) {
  SequenceTracker tracker(2);
  EXPECT_EQ(tracker.observe(1, 0, 10, false), Outcome::gap);
  EXPECT_EQ(tracker.lost(), 0u);
  EXPECT_EQ(tracker.progress(0), 11u);
  tracker.observe(1, 0, 12, true);
  EXPECT_EQ(tracker.lost(), 1u);
}

TEST(SequenceTracker, TailLossesAreFramesNeverSeen) {
  SequenceTracker tracker(3);
  for (std::uint64_t seq = 0; seq < 10; ++seq) tracker.observe(1, 0, seq, true);
  for (std::uint64_t seq = 0; seq < 7; ++seq) tracker.observe(2, 0, seq, true);
  const std::vector<std::uint64_t> sent = {10, 0, 0};
  EXPECT_EQ(tracker.tail_lost(sent), 3u);
}

TEST(SequenceTracker, RemovedReceiverStopsCounting) {
  SequenceTracker tracker(3);
  for (std::uint64_t seq = 0; seq < 4; ++seq) tracker.observe(1, 0, seq, true);
  tracker.observe(2, 0, 0, true);
  EXPECT_EQ(tracker.live_receivers(0), 2u);
  EXPECT_EQ(tracker.progress(0), 5u);
  tracker.remove_receiver(2);
  EXPECT_EQ(tracker.live_receivers(0), 1u);
  EXPECT_EQ(tracker.progress(0), 4u);
  const std::vector<std::uint64_t> sent = {4, 0, 0};
  EXPECT_EQ(tracker.tail_lost(sent), 0u);
  tracker.remove_receiver(2);  // twice is harmless
  EXPECT_EQ(tracker.live_receivers(0), 1u);
}

}  // namespace
}  // namespace vmesh::bench
