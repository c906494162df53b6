// SplitVring against rings written by hand in plain memory: chains, wrap-around of the
// 16-bit indexes, and every way a guest can write a bad ring.
#include "relay/vhost/split_vring.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string_view>

#include "tests/relay/vring_test_support.hpp"

namespace vmesh::vhost {
namespace {

using testing::kUserBase;
using testing::TestGuest;

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::string_view text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

class SplitVringTest : public ::testing::Test {
 protected:
  explicit SplitVringTest(std::uint32_t size = 8) : guest_(size) {}
  void start(std::uint16_t base = 0) {
    const VringFault f = ring_.start(guest_.memory, guest_.config(false, false, base));
    ASSERT_TRUE(f.ok()) << describe(f.error);
  }
  PopResult pop() { return ring_.pop(chain_); }

  TestGuest guest_;
  SplitVring ring_;
  DescriptorChain chain_;
};

TEST_F(SplitVringTest, EmptyRingPopsNothing) {
  start();
  EXPECT_EQ(pop().status, PopStatus::empty);
  EXPECT_EQ(ring_.last_avail_idx(), 0);
}

TEST_F(SplitVringTest, PopsOneReadableBuffer) {
  start();
  std::memcpy(guest_.data(), "hello", 5);
  guest_.set_desc(3, guest_.data_gpa(), 5, 0);
  guest_.make_available(3);
  ASSERT_EQ(pop().status, PopStatus::chain);
  EXPECT_EQ(chain_.head, 3);
  ASSERT_EQ(chain_.readable.size(), 1u);
  EXPECT_EQ(text(chain_.readable[0]), "hello");
  EXPECT_TRUE(chain_.writable.empty());
  EXPECT_EQ(chain_.readable_bytes, 5u);
  EXPECT_EQ(ring_.in_flight(), 1u);
  EXPECT_EQ(pop().status, PopStatus::empty);
}

TEST_F(SplitVringTest, PopsAChainReadableThenWritable) {
  start();
  std::memcpy(guest_.data(0), "ab", 2);
  std::memcpy(guest_.data(100), "cde", 3);
  guest_.set_desc(0, guest_.data_gpa(0), 2, kDescFlagNext, 5);
  guest_.set_desc(5, guest_.data_gpa(100), 3, kDescFlagNext, 2);
  guest_.set_desc(2, guest_.data_gpa(200), 64, kDescFlagWrite | kDescFlagNext, 7);
  guest_.set_desc(7, guest_.data_gpa(300), 32, kDescFlagWrite);
  guest_.make_available(0);
  ASSERT_EQ(pop().status, PopStatus::chain);
  ASSERT_EQ(chain_.readable.size(), 2u);
  EXPECT_EQ(text(chain_.readable[0]), "ab");
  EXPECT_EQ(text(chain_.readable[1]), "cde");
  ASSERT_EQ(chain_.writable.size(), 2u);
  EXPECT_EQ(chain_.writable[0].data(), guest_.data(200));
  EXPECT_EQ(chain_.writable[1].size(), 32u);
  EXPECT_EQ(chain_.readable_bytes, 5u);
  EXPECT_EQ(chain_.writable_bytes, 96u);
}

TEST_F(SplitVringTest, ChainAsLongAsTheQueueIsAccepted) {
  start();
  for (std::uint16_t i = 0; i < 8; ++i) {
    guest_.set_desc(i, guest_.data_gpa(i), 1, i < 7 ? kDescFlagNext : 0, i + 1);
  }
  guest_.make_available(0);
  ASSERT_EQ(pop().status, PopStatus::chain);
  EXPECT_EQ(chain_.readable.size(), 8u);
}

TEST_F(SplitVringTest, ZeroLengthDescriptorGivesNoSpan) {
  start();
  guest_.set_desc(0, kMax, 0, kDescFlagNext, 1);  // its address is never looked at
  guest_.set_desc(1, guest_.data_gpa(), 4, kDescFlagWrite);
  guest_.make_available(0);
  ASSERT_EQ(pop().status, PopStatus::chain);
  EXPECT_TRUE(chain_.readable.empty());
  EXPECT_EQ(chain_.writable.size(), 1u);
}

TEST_F(SplitVringTest, PushWritesTheUsedElementAndIdx) {
  start();
  guest_.set_desc(4, guest_.data_gpa(), 64, kDescFlagWrite);
  guest_.make_available(4);
  ASSERT_EQ(pop().status, PopStatus::chain);
  const auto pushed = ring_.push(4, 17);
  ASSERT_TRUE(pushed.fault.ok());
  EXPECT_TRUE(pushed.call_needed);
  EXPECT_EQ(guest_.used_idx(), 1);
  EXPECT_EQ(guest_.used_id(0), 4u);
  EXPECT_EQ(guest_.used_len(0), 17u);
  EXPECT_EQ(ring_.in_flight(), 0u);
}

TEST_F(SplitVringTest, AddUsedIsInvisibleUntilPublished) {
  start();
  for (std::uint16_t i = 0; i < 3; ++i) {
    guest_.set_desc(i, guest_.data_gpa(64u * i), 64, kDescFlagWrite);
    guest_.make_available(i);
    ASSERT_EQ(pop().status, PopStatus::chain);
  }
  for (std::uint16_t i = 0; i < 3; ++i) ASSERT_TRUE(ring_.add_used(i, i).ok());
  EXPECT_EQ(guest_.used_idx(), 0);
  EXPECT_EQ(ring_.used_idx(), 3);
  EXPECT_TRUE(ring_.publish_used());
  EXPECT_EQ(guest_.used_idx(), 3);
  EXPECT_FALSE(ring_.publish_used());  // nothing new
}

TEST_F(SplitVringTest, PushWithoutPopAndBadHeadAreTheCallersErrors) {
  start();
  EXPECT_EQ(ring_.push(0, 0).fault.error, VringError::push_without_pop);
  guest_.set_desc(0, guest_.data_gpa(), 1, 0);
  guest_.make_available(0);
  ASSERT_EQ(pop().status, PopStatus::chain);
  EXPECT_EQ(ring_.push(8, 0).fault.error, VringError::bad_used_head);
  // Neither breaks the queue.
  EXPECT_TRUE(ring_.fault().ok());
  EXPECT_TRUE(ring_.push(0, 0).fault.ok());
  EXPECT_EQ(guest_.used_idx(), 1);
}

TEST_F(SplitVringTest, AvailAndUsedIndexesWrapAt65535) {
  guest_.set_avail_idx(65534);
  guest_.set_used_idx(65534);
  start(65534);
  EXPECT_EQ(ring_.used_idx(), 65534);
  for (std::uint16_t i = 0; i < 4; ++i) {
    guest_.set_desc(i, guest_.data_gpa(i), 1, 0);
    guest_.make_available(i);
  }
  EXPECT_EQ(guest_.avail_idx(), 2);  // 65534 + 4
  for (std::uint16_t i = 0; i < 4; ++i) {
    ASSERT_EQ(pop().status, PopStatus::chain) << i;
    EXPECT_EQ(chain_.head, i);  // slots 6, 7, 0, 1
    ASSERT_TRUE(ring_.push(i, 100u + i).fault.ok());
  }
  EXPECT_EQ(pop().status, PopStatus::empty);
  EXPECT_EQ(ring_.last_avail_idx(), 2);
  EXPECT_EQ(guest_.used_idx(), 2);
  EXPECT_EQ(guest_.used_id(6), 0u);  // 65534 & 7
  EXPECT_EQ(guest_.used_id(7), 1u);
  EXPECT_EQ(guest_.used_id(0), 2u);
  EXPECT_EQ(guest_.used_len(1), 103u);
}

TEST_F(SplitVringTest, AFullRingIsNotAJump) {
  start(65530);
  guest_.set_avail_idx(65530);
  for (std::uint16_t i = 0; i < 8; ++i) {
    guest_.set_desc(i, guest_.data_gpa(i), 1, 0);
    guest_.make_available(i);
  }
  for (int i = 0; i < 8; ++i) ASSERT_EQ(pop().status, PopStatus::chain) << i;
  EXPECT_EQ(pop().status, PopStatus::empty);
}

TEST_F(SplitVringTest, AvailIdxJumpingMoreThanTheQueueSizeBreaksTheQueue) {
  start();
  guest_.set_avail_idx(9);
  const PopResult r = pop();
  EXPECT_EQ(r.status, PopStatus::error);
  EXPECT_EQ(r.fault.error, VringError::avail_idx_jump);
  EXPECT_EQ(r.fault.value, 9u);
}

TEST_F(SplitVringTest, AvailIdxMovingBackwardsIsAJump) {
  start(100);
  guest_.set_avail_idx(99);  // 65535 ahead, modulo 2^16
  EXPECT_EQ(pop().fault.error, VringError::avail_idx_jump);
}

TEST_F(SplitVringTest, BadHeadIndexBreaksTheQueueUntilRestarted) {
  start();
  guest_.make_available(8);
  PopResult r = pop();
  EXPECT_EQ(r.status, PopStatus::error);
  EXPECT_EQ(r.fault.error, VringError::bad_head_index);
  EXPECT_EQ(r.fault.value, 8u);
  // Sticky: the guest fixing the ring does not help, pushes are refused too.
  guest_.set_avail_idx(0);
  EXPECT_EQ(pop().fault.error, VringError::bad_head_index);
  EXPECT_EQ(ring_.push(0, 0).fault.error, VringError::bad_head_index);
  EXPECT_FALSE(ring_.publish_used());
  EXPECT_EQ(ring_.fault().error, VringError::bad_head_index);
  // A restart (a new SET_VRING_BASE/ADDR sequence) clears it.
  start();
  EXPECT_EQ(pop().status, PopStatus::empty);
}

TEST_F(SplitVringTest, BadNextIndexIsRefused) {
  start();
  guest_.set_desc(0, guest_.data_gpa(), 1, kDescFlagNext, 8);
  guest_.make_available(0);
  const PopResult r = pop();
  EXPECT_EQ(r.fault.error, VringError::bad_next_index);
  EXPECT_EQ(r.fault.value, 8u);
  EXPECT_TRUE(chain_.readable.empty());  // nothing half-built is handed out
  EXPECT_EQ(ring_.last_avail_idx(), 0);
}

TEST_F(SplitVringTest, LoopBackToTheHeadIsRefused) {
  start();
  guest_.set_desc(0, guest_.data_gpa(), 1, kDescFlagNext, 1);
  guest_.set_desc(1, guest_.data_gpa(), 1, kDescFlagNext, 2);
  guest_.set_desc(2, guest_.data_gpa(), 1, kDescFlagNext, 0);
  guest_.make_available(0);
  EXPECT_EQ(pop().fault.error, VringError::chain_too_long);
}

TEST_F(SplitVringTest, SelfLoopIsRefused) {
  start();
  guest_.set_desc(5, guest_.data_gpa(), 1, kDescFlagNext | kDescFlagWrite, 5);
  guest_.make_available(5);
  EXPECT_EQ(pop().fault.error, VringError::chain_too_long);
}

TEST_F(SplitVringTest, DescriptorOutsideMemoryIsRefused) {
  start();
  guest_.set_desc(0, 0x10, 4, 0);  // below the region
  guest_.make_available(0);
  const PopResult r = pop();
  EXPECT_EQ(r.fault.error, VringError::descriptor_outside_memory);
  EXPECT_EQ(r.fault.memory, MemoryError::outside_memory);
  EXPECT_EQ(r.fault.value, 0u);
}

TEST_F(SplitVringTest, DescriptorRunningPastTheRegionEndIsRefused) {
  start();
  const std::uint64_t end = guest_.region().guest_addr + guest_.region().size;
  guest_.set_desc(0, guest_.data_gpa(), 1, kDescFlagNext, 1);
  guest_.set_desc(1, end - 8, 9, kDescFlagWrite);
  guest_.make_available(0);
  const PopResult r = pop();
  EXPECT_EQ(r.fault.error, VringError::descriptor_outside_memory);
  EXPECT_EQ(r.fault.memory, MemoryError::crosses_region);
  EXPECT_EQ(r.fault.value, 1u);
}

TEST_F(SplitVringTest, DescriptorAddressPlusLengthOverflowIsRefused) {
  start();
  guest_.set_desc(0, kMax - 15, 0xffff'ffff, 0);
  guest_.make_available(0);
  const PopResult r = pop();
  EXPECT_EQ(r.fault.error, VringError::descriptor_outside_memory);
  EXPECT_EQ(r.fault.memory, MemoryError::address_overflow);
}

TEST_F(SplitVringTest, ReadableAfterWritableIsRefused) {
  start();
  guest_.set_desc(0, guest_.data_gpa(), 8, kDescFlagWrite | kDescFlagNext, 1);
  guest_.set_desc(1, guest_.data_gpa(8), 8, 0);
  guest_.make_available(0);
  const PopResult r = pop();
  EXPECT_EQ(r.fault.error, VringError::writable_before_readable);
  EXPECT_EQ(r.fault.value, 1u);
}

TEST_F(SplitVringTest, StopReturnsTheNextAvailIndexAndRestartContinues) {
  start();
  for (std::uint16_t i = 0; i < 3; ++i) {
    guest_.set_desc(i, guest_.data_gpa(i), 1, 0);
    guest_.make_available(i);
  }
  ASSERT_EQ(pop().status, PopStatus::chain);
  ASSERT_EQ(pop().status, PopStatus::chain);
  EXPECT_EQ(ring_.stop(), 2);
  EXPECT_FALSE(ring_.started());
  EXPECT_EQ(pop().fault.error, VringError::not_started);
  EXPECT_EQ(ring_.push(0, 0).fault.error, VringError::not_started);
  start(2);
  ASSERT_EQ(pop().status, PopStatus::chain);
  EXPECT_EQ(chain_.head, 2);
}

TEST(SplitVring, StartRefusesBadQueueSizes) {
  for (const std::uint32_t size : {0u, 3u, 6u, 32769u, 65536u}) {
    TestGuest guest(8);
    VringConfig config = guest.config();
    config.size = size;
    SplitVring ring;
    const VringFault f = ring.start(guest.memory, config);
    EXPECT_EQ(f.error, VringError::bad_queue_size) << size;
    EXPECT_EQ(f.value, size);
    EXPECT_FALSE(ring.started());
  }
}

TEST(SplitVring, StartAcceptsTheLargestQueue) {
  TestGuest guest(kMaxQueueSize, 4096);
  SplitVring ring;
  ASSERT_TRUE(ring.start(guest.memory, guest.config(true)).ok());
  guest.set_desc(kMaxQueueSize - 1, guest.data_gpa(), 16, 0);
  guest.make_available(kMaxQueueSize - 1);
  DescriptorChain chain;
  ASSERT_EQ(ring.pop(chain).status, PopStatus::chain);
  EXPECT_EQ(chain.head, kMaxQueueSize - 1);
}

TEST(SplitVring, StartRefusesMisalignedRings) {
  TestGuest guest(8);
  SplitVring ring;
  VringConfig c = guest.config();
  c.desc_user_addr += 8;
  EXPECT_EQ(ring.start(guest.memory, c).error, VringError::ring_misaligned);
  EXPECT_EQ(ring.start(guest.memory, c).value, 0u);
  c = guest.config();
  c.avail_user_addr += 1;
  EXPECT_EQ(ring.start(guest.memory, c).value, 1u);
  c = guest.config();
  c.used_user_addr += 2;
  const VringFault f = ring.start(guest.memory, c);
  EXPECT_EQ(f.error, VringError::ring_misaligned);
  EXPECT_EQ(f.value, 2u);
}

TEST(SplitVring, StartRefusesRingsOutsideMemory) {
  TestGuest guest(8);
  SplitVring ring;
  VringConfig c = guest.config();
  c.used_user_addr = kUserBase + guest.region().size - 64;  // 4 + 64 + 2 bytes needed
  VringFault f = ring.start(guest.memory, c);
  EXPECT_EQ(f.error, VringError::ring_outside_memory);
  EXPECT_EQ(f.value, 2u);
  EXPECT_EQ(f.memory, MemoryError::crosses_region);
  c = guest.config();
  c.desc_user_addr = testing::kGuestBase;  // a guest address where a user address belongs
  f = ring.start(guest.memory, c);
  EXPECT_EQ(f.error, VringError::ring_outside_memory);
  EXPECT_EQ(f.memory, MemoryError::outside_memory);
  c = guest.config();
  c.avail_user_addr = 0xffff'ffff'ffff'fff0;
  EXPECT_EQ(ring.start(guest.memory, c).memory, MemoryError::address_overflow);
}

TEST(SplitVring, ErrorsAreDescribed) {
  EXPECT_EQ(describe(VringError::chain_too_long),
            "descriptor chain longer than its table (a loop)");
  EXPECT_EQ(describe(VringError::bad_head_index), "head index beyond the queue size");
}

}  // namespace
}  // namespace vmesh::vhost
