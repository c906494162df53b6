// Indirect descriptor tables: handled when VIRTIO_RING_F_INDIRECT_DESC was negotiated,
// refused otherwise, and every malformed table refused.
#include <gtest/gtest.h>

#include "relay/vhost/split_vring.hpp"
#include "tests/relay/vring_test_support.hpp"

namespace vmesh::vhost {
namespace {

using testing::TestGuest;

class SplitVringIndirectTest : public ::testing::Test {
 protected:
  SplitVringIndirectTest() : guest_(8) {}
  void start(bool indirect = true) {
    ASSERT_TRUE(ring_.start(guest_.memory, guest_.config(false, indirect)).ok());
  }
  // The indirect table lives at the start of the data area; buffers after 4 KiB.
  std::size_t table_off() const { return guest_.data_offset(); }
  std::uint64_t table_gpa() const { return guest_.data_gpa(); }
  std::uint64_t buffer_gpa(std::size_t i) const { return guest_.data_gpa(4096 + 256 * i); }
  void table_desc(std::uint32_t i, std::uint64_t addr, std::uint32_t len, std::uint16_t flags,
                  std::uint16_t next = 0) {
    guest_.set_desc(i, addr, len, flags, next, table_off());
  }
  VringFault pop_fault() { return ring_.pop(chain_).fault; }

  TestGuest guest_;
  SplitVring ring_;
  DescriptorChain chain_;
};

TEST_F(SplitVringIndirectTest, TableIsWalkedInOrderOfItsLinks) {
  start();
  table_desc(0, buffer_gpa(0), 10, kDescFlagNext, 2);
  table_desc(2, buffer_gpa(1), 20, kDescFlagNext, 1);
  table_desc(1, buffer_gpa(2), 30, kDescFlagWrite);
  guest_.set_desc(6, table_gpa(), 3 * 16, kDescFlagIndirect);
  guest_.make_available(6);
  ASSERT_EQ(ring_.pop(chain_).status, PopStatus::chain);
  EXPECT_EQ(chain_.head, 6);
  ASSERT_EQ(chain_.readable.size(), 2u);
  EXPECT_EQ(chain_.readable[1].size(), 20u);
  ASSERT_EQ(chain_.writable.size(), 1u);
  EXPECT_EQ(chain_.writable[0].size(), 30u);
  ASSERT_TRUE(ring_.push(6, 30).fault.ok());
  EXPECT_EQ(guest_.used_id(0), 6u);
}

TEST_F(SplitVringIndirectTest, TableAfterDirectDescriptorsIsAccepted) {
  start();
  table_desc(0, buffer_gpa(1), 8, kDescFlagWrite);
  guest_.set_desc(0, buffer_gpa(0), 4, kDescFlagNext, 1);
  guest_.set_desc(1, table_gpa(), 16, kDescFlagIndirect | kDescFlagWrite);  // WRITE ignored
  guest_.make_available(0);
  ASSERT_EQ(ring_.pop(chain_).status, PopStatus::chain);
  EXPECT_EQ(chain_.readable.size(), 1u);
  EXPECT_EQ(chain_.writable.size(), 1u);
}

TEST_F(SplitVringIndirectTest, RefusedWhenNotNegotiated) {
  start(false);
  table_desc(0, buffer_gpa(0), 10, 0);
  guest_.set_desc(0, table_gpa(), 16, kDescFlagIndirect);
  guest_.make_available(0);
  EXPECT_EQ(pop_fault().error, VringError::indirect_not_negotiated);
}

TEST_F(SplitVringIndirectTest, IndirectWithNextIsRefused) {
  start();
  table_desc(0, buffer_gpa(0), 10, 0);
  guest_.set_desc(0, table_gpa(), 16, kDescFlagIndirect | kDescFlagNext, 1);
  guest_.set_desc(1, buffer_gpa(1), 10, 0);
  guest_.make_available(0);
  EXPECT_EQ(pop_fault().error, VringError::indirect_with_next);
}

TEST_F(SplitVringIndirectTest, NestedTableIsRefused) {
  start();
  table_desc(0, buffer_gpa(0), 10, kDescFlagNext, 1);
  table_desc(1, table_gpa(), 32, kDescFlagIndirect);
  guest_.set_desc(0, table_gpa(), 32, kDescFlagIndirect);
  guest_.make_available(0);
  const VringFault f = pop_fault();
  EXPECT_EQ(f.error, VringError::indirect_nested);
  EXPECT_EQ(f.value, 1u);
}

TEST_F(SplitVringIndirectTest, BadTableLengthsAreRefused) {
  for (const std::uint32_t len : {0u, 17u, 24u, (kMaxQueueSize + 1) * 16}) {
    TestGuest guest(8);
    SplitVring ring;
    ASSERT_TRUE(ring.start(guest.memory, guest.config(false, true)).ok());
    guest.set_desc(0, guest.data_gpa(), len, kDescFlagIndirect);
    guest.make_available(0);
    DescriptorChain chain;
    const VringFault f = ring.pop(chain).fault;
    EXPECT_EQ(f.error, VringError::indirect_bad_length) << len;
    EXPECT_EQ(f.value, len);
  }
}

TEST_F(SplitVringIndirectTest, TableOutsideMemoryIsRefused) {
  start();
  guest_.set_desc(0, 0x1000, 32, kDescFlagIndirect);
  guest_.make_available(0);
  const VringFault f = pop_fault();
  EXPECT_EQ(f.error, VringError::indirect_outside_memory);
  EXPECT_EQ(f.memory, MemoryError::outside_memory);
}

TEST_F(SplitVringIndirectTest, TableRunningPastTheRegionEndIsRefused) {
  start();
  const std::uint64_t end = guest_.region().guest_addr + guest_.region().size;
  guest_.set_desc(0, end - 16, 32, kDescFlagIndirect);
  guest_.make_available(0);
  EXPECT_EQ(pop_fault().memory, MemoryError::crosses_region);
}

TEST_F(SplitVringIndirectTest, LoopInsideTheTableIsRefused) {
  start();
  table_desc(0, buffer_gpa(0), 10, kDescFlagNext, 1);
  table_desc(1, buffer_gpa(1), 10, kDescFlagNext, 0);
  guest_.set_desc(0, table_gpa(), 2 * 16, kDescFlagIndirect);
  guest_.make_available(0);
  EXPECT_EQ(pop_fault().error, VringError::chain_too_long);
}

TEST_F(SplitVringIndirectTest, NextBeyondTheTableIsRefused) {
  start();
  table_desc(0, buffer_gpa(0), 10, kDescFlagNext, 2);  // the table has entries 0 and 1
  guest_.set_desc(0, table_gpa(), 2 * 16, kDescFlagIndirect);
  guest_.make_available(0);
  const VringFault f = pop_fault();
  EXPECT_EQ(f.error, VringError::bad_next_index);
  EXPECT_EQ(f.value, 2u);
}

TEST_F(SplitVringIndirectTest, BufferOutsideMemoryInsideTheTableIsRefused) {
  start();
  table_desc(0, buffer_gpa(0), 10, kDescFlagNext, 1);
  table_desc(1, ~std::uint64_t{0}, 2, kDescFlagWrite);
  guest_.set_desc(0, table_gpa(), 2 * 16, kDescFlagIndirect);
  guest_.make_available(0);
  const VringFault f = pop_fault();
  EXPECT_EQ(f.error, VringError::descriptor_outside_memory);
  EXPECT_EQ(f.memory, MemoryError::address_overflow);
}

}  // namespace
}  // namespace vmesh::vhost
