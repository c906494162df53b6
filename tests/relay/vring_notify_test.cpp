// When the guest wants a call (interrupt) after used buffers, and how the device asks for
// kicks: VIRTQ_AVAIL_F_NO_INTERRUPT without EVENT_IDX, used_event/avail_event with it.
#include <gtest/gtest.h>

#include "relay/vhost/split_vring.hpp"
#include "tests/relay/vring_test_support.hpp"

namespace vmesh::vhost {
namespace {

using testing::TestGuest;

class VringNotifyTest : public ::testing::Test {
 protected:
  VringNotifyTest() : guest_(8) {}
  void start(bool event_idx, std::uint16_t base = 0) {
    ASSERT_TRUE(ring_.start(guest_.memory, guest_.config(event_idx, false, base)).ok());
  }
  // Makes one buffer available and pops it.
  void take(std::uint16_t head) {
    guest_.set_desc(head, guest_.data_gpa(64u * head), 64, kDescFlagWrite);
    guest_.make_available(head);
    ASSERT_EQ(ring_.pop(chain_).status, PopStatus::chain);
  }

  TestGuest guest_;
  SplitVring ring_;
  DescriptorChain chain_;
};

TEST_F(VringNotifyTest, CallNeededUnlessNoInterrupt) {
  start(false);
  take(0);
  take(1);
  EXPECT_TRUE(ring_.push(0, 1).call_needed);
  guest_.set_avail_flags(kAvailFlagNoInterrupt);
  EXPECT_FALSE(ring_.push(1, 1).call_needed);
  EXPECT_EQ(guest_.used_idx(), 2);  // published all the same
}

TEST_F(VringNotifyTest, UsedEventIsIgnoredWithoutEventIdx) {
  start(false);
  guest_.set_used_event(100);
  take(0);
  EXPECT_TRUE(ring_.push(0, 1).call_needed);
}

TEST_F(VringNotifyTest, EventIdxCallsOnlyWhenUsedEventIsCrossed) {
  start(true);
  guest_.set_avail_flags(kAvailFlagNoInterrupt);  // ignored with EVENT_IDX
  guest_.set_used_event(2);                       // "call me once entry 2 is used"
  for (std::uint16_t i = 0; i < 4; ++i) take(i);
  EXPECT_FALSE(ring_.push(0, 1).call_needed);  // used idx 0 -> 1
  EXPECT_FALSE(ring_.push(1, 1).call_needed);  // 1 -> 2
  EXPECT_TRUE(ring_.push(2, 1).call_needed);   // 2 -> 3 covers entry 2
  EXPECT_FALSE(ring_.push(3, 1).call_needed);  // 3 -> 4
}

TEST_F(VringNotifyTest, EventIdxBatchCrossingTheEventCallsOnce) {
  start(true);
  guest_.set_used_event(1);
  for (std::uint16_t i = 0; i < 3; ++i) take(i);
  for (std::uint16_t i = 0; i < 3; ++i) ASSERT_TRUE(ring_.add_used(i, 1).ok());
  EXPECT_TRUE(ring_.publish_used());  // 0 -> 3 covers 1
}

TEST_F(VringNotifyTest, EventIdxAcrossTheWrap) {
  guest_.set_avail_idx(65535);
  guest_.set_used_idx(65535);
  start(true, 65535);
  guest_.set_used_event(65535);
  take(0);
  take(1);
  EXPECT_TRUE(ring_.push(0, 1).call_needed);   // 65535 -> 0 covers 65535
  EXPECT_FALSE(ring_.push(1, 1).call_needed);  // 0 -> 1
  EXPECT_EQ(guest_.used_idx(), 1);
}

TEST_F(VringNotifyTest, EventIdxKeepsAvailEventAtTheNextIndexToRead) {
  guest_.set_avail_idx(40);
  start(true, 40);
  EXPECT_EQ(guest_.avail_event(), 40);  // start asks for a kick at the first buffer
  take(0);
  EXPECT_EQ(guest_.avail_event(), 41);
  take(1);
  EXPECT_EQ(guest_.avail_event(), 42);
  EXPECT_EQ(ring_.pop(chain_).status, PopStatus::empty);
  EXPECT_EQ(guest_.avail_event(), 42);
}

TEST_F(VringNotifyTest, WithoutEventIdxAvailEventIsNeverWritten) {
  start(false);
  take(0);
  EXPECT_EQ(ring_.pop(chain_).status, PopStatus::empty);
  EXPECT_EQ(guest_.avail_event(), 0);
}

TEST(VringNeedEvent, FollowsTheEventIndexRule) {
  EXPECT_TRUE(need_event(0, 1, 0));
  EXPECT_FALSE(need_event(1, 1, 0));
  EXPECT_TRUE(need_event(5, 10, 0));
  EXPECT_FALSE(need_event(10, 10, 0));
  EXPECT_TRUE(need_event(65535, 2, 65534));
  EXPECT_FALSE(need_event(3, 2, 65534));
  EXPECT_FALSE(need_event(7, 7, 7));  // nothing new: never
}

}  // namespace
}  // namespace vmesh::vhost
