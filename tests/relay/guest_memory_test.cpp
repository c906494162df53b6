#include "relay/vhost/guest_memory.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace vmesh::vhost {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

class GuestMemoryTest : public ::testing::Test {
 protected:
  GuestMemoryTest() : low_(0x1000), high_(0x2000) {
    EXPECT_EQ(memory_.add_region({0x0, 0x1000, 0x7000'0000, 0}, low_), MemoryError::none);
    EXPECT_EQ(memory_.add_region({0x1000, 0x2000, 0x9000'0000, 0x1000}, high_), MemoryError::none);
  }
  std::vector<std::uint8_t> low_;
  std::vector<std::uint8_t> high_;
  GuestMemory memory_;
};

TEST_F(GuestMemoryTest, TranslatesGuestPhysicalAddresses) {
  const HostRange r = memory_.translate_guest(0x1010, 0x20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes.data(), high_.data() + 0x10);
  EXPECT_EQ(r.bytes.size(), 0x20u);
  EXPECT_EQ(memory_.translate_guest(0x0, 1).bytes.data(), low_.data());
}

TEST_F(GuestMemoryTest, TranslatesUserAddresses) {
  const HostRange r = memory_.translate_user(0x9000'0100, 0x100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes.data(), high_.data() + 0x100);
  // A user address is not a guest address and vice versa.
  EXPECT_EQ(memory_.translate_guest(0x9000'0100, 1).error, MemoryError::outside_memory);
  EXPECT_EQ(memory_.translate_user(0x1010, 1).error, MemoryError::outside_memory);
}

TEST_F(GuestMemoryTest, RangeEndingAtTheRegionEndIsInside) {
  const HostRange r = memory_.translate_guest(0x2ff0, 0x10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes.data() + r.bytes.size(), high_.data() + high_.size());
  EXPECT_TRUE(memory_.translate_guest(0x0, 0x1000).ok());
  EXPECT_TRUE(memory_.translate_user(0x9000'0000, 0x2000).ok());
}

TEST_F(GuestMemoryTest, RangeRunningPastTheRegionEndIsRefused) {
  EXPECT_EQ(memory_.translate_guest(0x2ff0, 0x11).error, MemoryError::crosses_region);
  EXPECT_EQ(memory_.translate_user(0x9000'0000, 0x2001).error, MemoryError::crosses_region);
}

TEST_F(GuestMemoryTest, RangeAcrossTwoAdjacentRegionsIsRefused) {
  // Guest-adjacent regions (0x0-0x1000, 0x1000-0x3000) mapped at unrelated host places.
  EXPECT_EQ(memory_.translate_guest(0xff0, 0x20).error, MemoryError::crosses_region);
}

TEST_F(GuestMemoryTest, AddressesInNoRegionAreRefused) {
  EXPECT_EQ(memory_.translate_guest(0x3000, 1).error, MemoryError::outside_memory);
  EXPECT_EQ(memory_.translate_guest(kMax, 1).error, MemoryError::outside_memory);
  EXPECT_EQ(memory_.translate_user(0x6fff'ffff, 1).error, MemoryError::outside_memory);
  EXPECT_TRUE(memory_.translate_guest(0x3000, 1).bytes.empty());
}

TEST_F(GuestMemoryTest, AddressPlusLengthOverflowIsRefused) {
  EXPECT_EQ(memory_.translate_guest(0x1000, kMax).error, MemoryError::address_overflow);
  EXPECT_EQ(memory_.translate_guest(kMax - 3, 8).error, MemoryError::address_overflow);
  EXPECT_EQ(memory_.translate_user(0x9000'0000, kMax - 0x8000'0000).error,
            MemoryError::address_overflow);
}

TEST_F(GuestMemoryTest, ZeroLengthTranslatesToAnEmptySpan) {
  const HostRange r = memory_.translate_guest(0xdead'beef'0000, 0);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.bytes.empty());
}

TEST_F(GuestMemoryTest, OverlappingRegionsAreRefused) {
  std::vector<std::uint8_t> more(0x1000);
  EXPECT_EQ(memory_.add_region({0x2fff, 0x1000, 0x1'0000'0000, 0}, more),
            MemoryError::regions_overlap);
  EXPECT_EQ(memory_.add_region({0x8000, 0x1000, 0x7000'0fff, 0}, more),
            MemoryError::regions_overlap);
  EXPECT_EQ(memory_.region_count(), 2u);
  EXPECT_EQ(memory_.add_region({0x3000, 0x1000, 0x7000'1000, 0}, more), MemoryError::none);
}

TEST(GuestMemory, BadRegionsAreRefused) {
  GuestMemory memory;
  std::vector<std::uint8_t> bytes(16);
  EXPECT_EQ(memory.add_region({0, 0, 0, 0}, {}), MemoryError::empty_region);
  EXPECT_EQ(memory.add_region({kMax - 7, 16, 0, 0}, bytes), MemoryError::region_overflow);
  EXPECT_EQ(memory.add_region({0, 16, kMax, 0}, bytes), MemoryError::region_overflow);
  EXPECT_EQ(memory.add_region({0, 32, 0, 0}, bytes), MemoryError::host_size_mismatch);
  EXPECT_EQ(memory.region_count(), 0u);
}

TEST(GuestMemory, RegionAtTheTopOfTheAddressSpace) {
  GuestMemory memory;
  std::vector<std::uint8_t> bytes(16);
  ASSERT_EQ(memory.add_region({kMax - 15, 16, kMax - 15, 0}, bytes), MemoryError::none);
  const HostRange last = memory.translate_guest(kMax, 1);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last.bytes.data(), bytes.data() + 15);
  EXPECT_EQ(memory.translate_guest(kMax, 2).error, MemoryError::address_overflow);
  EXPECT_TRUE(memory.translate_user(kMax - 15, 16).ok());
}

TEST(GuestMemory, AtMostEightRegions) {
  GuestMemory memory;
  std::vector<std::uint8_t> bytes(9 * 16);
  for (std::uint64_t i = 0; i < kMaxMemoryRegions; ++i) {
    ASSERT_EQ(memory.add_region({i * 16, 16, 0x1000 + i * 16, 0}, {bytes.data() + i * 16, 16}),
              MemoryError::none);
  }
  EXPECT_EQ(memory.add_region({0x900, 16, 0x9000, 0}, {bytes.data() + 128, 16}),
            MemoryError::too_many_regions);
  EXPECT_EQ(memory.region(7), (MemoryRegion{112, 16, 0x1070, 0}));
  memory.clear();
  EXPECT_EQ(memory.region_count(), 0u);
  EXPECT_EQ(memory.translate_guest(0, 1).error, MemoryError::outside_memory);
}

TEST(GuestMemory, ErrorsAreDescribed) {
  EXPECT_EQ(describe(MemoryError::crosses_region), "range crosses the end of its memory region");
  EXPECT_EQ(describe(MemoryError::address_overflow), "address + length wraps around");
}

}  // namespace
}  // namespace vmesh::vhost
