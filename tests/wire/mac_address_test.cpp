#include "base/wire/mac_address.hpp"

#include <gtest/gtest.h>

namespace vmesh::wire {
namespace {

TEST(MacAddress, ParsesAndFormats) {
  const auto mac = MacAddress::parse("02:AB:cd:00:01:ff");
  ASSERT_TRUE(mac);
  EXPECT_EQ(mac->to_string(), "02:ab:cd:00:01:ff");
  EXPECT_EQ(MacAddress::parse("02-ab-cd-00-01-ff"), mac);
}

TEST(MacAddress, RejectsMalformedText) {
  EXPECT_FALSE(MacAddress::parse(""));
  EXPECT_FALSE(MacAddress::parse("02:ab:cd:00:01"));
  EXPECT_FALSE(MacAddress::parse("02:ab:cd:00:01:fg"));
  EXPECT_FALSE(MacAddress::parse("02:ab:cd:00:01:ff:"));
  EXPECT_FALSE(MacAddress::parse("02abcd:00:01:ff:1"));
}

}  // namespace
}  // namespace vmesh::wire
