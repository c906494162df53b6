#include "relay/core/delay_queue.hpp"

#include <gtest/gtest.h>

namespace vmesh::relay {
namespace {

DelayedDelivery due_at(std::uint64_t due_us, std::uint32_t slot, medium::NodeId from = 0,
                       medium::NodeId to = 1) {
  DelayedDelivery d;
  d.due_us = due_us;
  d.slot = slot;
  d.from_node = from;
  d.to_node = to;
  return d;
}

TEST(DelayQueue, PopsByDueTimeAndNothingEarly) {
  DelayQueue q;
  q.push(due_at(300, 3));
  q.push(due_at(100, 1));
  q.push(due_at(200, 2));
  EXPECT_EQ(q.next_due_us(), 100u);
  EXPECT_FALSE(q.pop_due(99));
  EXPECT_EQ(q.pop_due(250)->slot, 1u);
  EXPECT_EQ(q.pop_due(250)->slot, 2u);
  EXPECT_FALSE(q.pop_due(250));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop_due(1000)->slot, 3u);
  EXPECT_FALSE(q.next_due_us());
}

TEST(DelayQueue, EqualDueTimesKeepDecisionOrder) {
  DelayQueue q;
  for (std::uint32_t slot = 0; slot < 20; ++slot) q.push(due_at(500, slot));
  for (std::uint32_t slot = 0; slot < 20; ++slot) EXPECT_EQ(q.pop_due(500)->slot, slot);
}

TEST(DelayQueue, CountsWaitingEntriesPerLink) {
  DelayQueue q;
  q.track_links(3);
  q.push(due_at(10, 1, 0, 1));
  q.push(due_at(20, 1, 0, 1));
  q.push(due_at(30, 2, 2, 0));
  q.push(due_at(40, 2, 7, 0));  // outside the topology: not counted
  EXPECT_EQ(q.waiting(0, 1), 2u);
  EXPECT_EQ(q.waiting(2, 0), 1u);
  EXPECT_EQ(q.waiting(1, 0), 0u);
  EXPECT_EQ(q.waiting(7, 0), 0u);
  q.pop_due(15);
  EXPECT_EQ(q.waiting(0, 1), 1u);
}

}  // namespace
}  // namespace vmesh::relay
