// RecordRing: records come out whole and in order, a full ring refuses instead of
// overwriting, wrap-around keeps records contiguous, and a concurrent producer/consumer
// pair loses nothing it was told it stored.
#include "relay/capture/record_ring.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

namespace vmesh::capture {
namespace {

bool push(RecordRing& ring, std::uint32_t value, std::size_t bytes) {
  const auto slot = ring.reserve(bytes);
  if (slot.empty()) return false;
  std::memset(slot.data(), static_cast<int>(value & 0xff), bytes);
  std::memcpy(slot.data(), &value, sizeof(value));
  ring.commit();
  return true;
}

std::vector<std::uint32_t> drain_values(RecordRing& ring, std::size_t expected_bytes) {
  std::vector<std::uint32_t> values;
  ring.drain([&](std::span<const std::uint8_t> record) {
    EXPECT_EQ(record.size(), expected_bytes);
    std::uint32_t value;
    std::memcpy(&value, record.data(), sizeof(value));
    for (std::size_t i = sizeof(value); i < record.size(); ++i)
      EXPECT_EQ(record[i], value & 0xff) << "record " << value << " byte " << i;
    values.push_back(value);
  });
  return values;
}

TEST(RecordRing, CapacityIsAPowerOfTwoOfAtLeast4KiB) {
  EXPECT_EQ(RecordRing(1).capacity(), 4096u);
  EXPECT_EQ(RecordRing(5000).capacity(), 8192u);
  EXPECT_EQ(RecordRing(1u << 20).capacity(), 1u << 20);
}

TEST(RecordRing, RecordsComeOutInOrderAndWhole) {
  RecordRing ring(4096);
  for (std::uint32_t v = 1; v <= 10; ++v) ASSERT_TRUE(push(ring, v, 100));
  EXPECT_EQ(drain_values(ring, 100), (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_TRUE(drain_values(ring, 100).empty());
}

TEST(RecordRing, AFullRingRefusesAndKeepsWhatItHas) {
  RecordRing ring(4096);
  std::uint32_t stored = 0;
  while (push(ring, stored + 1, 1000)) ++stored;
  EXPECT_EQ(stored, 4u);  // 4 x 1008 bytes fit in 4096, a fifth does not
  const auto values = drain_values(ring, 1000);
  EXPECT_EQ(values, (std::vector<std::uint32_t>{1, 2, 3, 4}));
  EXPECT_TRUE(push(ring, 99, 1000)) << "drained room is reusable";
}

TEST(RecordRing, ARecordLargerThanHalfTheRingIsRefused) {
  RecordRing ring(4096);
  EXPECT_TRUE(ring.reserve(3000).empty());
  EXPECT_FALSE(ring.reserve(2000).empty());
}

TEST(RecordRing, WrapsAroundTheEndWithoutSplittingARecord) {
  RecordRing ring(4096);
  std::uint32_t next = 1;
  std::uint32_t expected = 1;
  // 1500-byte records do not divide 4096: every few records one wraps.
  for (int round = 0; round < 50; ++round) {
    ASSERT_TRUE(push(ring, next++, 1500));
    ASSERT_TRUE(push(ring, next++, 1500));
    for (std::uint32_t v : drain_values(ring, 1500)) EXPECT_EQ(v, expected++);
  }
  EXPECT_EQ(expected, next);
}

TEST(RecordRing, ConcurrentProducerAndConsumerLoseNothingAccepted) {
  RecordRing ring(1u << 16);
  constexpr std::uint32_t kRecords = 200000;
  std::atomic<bool> done{false};
  std::vector<std::uint32_t> accepted;
  std::thread producer([&] {
    for (std::uint32_t v = 0; v < kRecords; ++v) {
      const std::size_t bytes = 8 + (v * 37) % 900;
      const auto slot = ring.reserve(bytes);
      if (slot.empty()) continue;
      std::memcpy(slot.data(), &v, sizeof(v));
      const std::uint32_t size = static_cast<std::uint32_t>(bytes);
      std::memcpy(slot.data() + 4, &size, sizeof(size));
      ring.commit();
      accepted.push_back(v);
    }
    done.store(true);
  });
  std::vector<std::uint32_t> seen;
  const auto visit = [&](std::span<const std::uint8_t> record) {
    std::uint32_t v, size;
    std::memcpy(&v, record.data(), sizeof(v));
    std::memcpy(&size, record.data() + 4, sizeof(size));
    EXPECT_EQ(size, record.size());
    seen.push_back(v);
  };
  while (!done.load()) ring.drain(visit);
  producer.join();
  ring.drain(visit);
  EXPECT_EQ(seen, accepted);
  EXPECT_GT(accepted.size(), 0u);
}

}  // namespace
}  // namespace vmesh::capture
