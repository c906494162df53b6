#include "relay/core/vwifi_signal.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace vmesh::relay {
namespace {

TEST(VwifiSignal, DistanceIsEuclidean) {
  EXPECT_DOUBLE_EQ(distance_m({0, 0, 0}, {3, 4, 0}), 5.0);
  EXPECT_DOUBLE_EQ(distance_m({1, 2, 3}, {1, 2, 3}), 0.0);
  EXPECT_DOUBLE_EQ(distance_m({-1, 0, 0}, {1, 0, 2}), std::sqrt(8.0));
}

TEST(VwifiSignal, FreeSpaceLossMatchesFormulaTruncated) {
  // 92.45 + 20log10(2.412) + 20log10(0.1) = 92.45 + 7.648 - 20 = 80.098 -> 80
  EXPECT_EQ(free_space_loss_db(100.0, 2412), 80);
  // 1 km at 5.18 GHz: 92.45 + 14.287 + 0 = 106.7 -> 106
  EXPECT_EQ(free_space_loss_db(1000.0, 5180), 106);
  EXPECT_EQ(free_space_loss_db(0.0, 2412), 0);
}

TEST(VwifiSignal, ReceivedSignalIsClamped) {
  // Same place: 10 dBm - 0 clamps to -10.
  EXPECT_EQ(received_signal_dbm(10, {0, 0, 0}, {0, 0, 0}, 1.0, 2412), -10);
  // 100 m: 10 - 80 = -70.
  EXPECT_EQ(received_signal_dbm(10, {0, 0, 0}, {100, 0, 0}, 1.0, 2412), -70);
  // Scale 10 turns 10 m into 100 m.
  EXPECT_EQ(received_signal_dbm(10, {0, 0, 0}, {10, 0, 0}, 10.0, 2412), -70);
  // Very far: clamps at -128.
  EXPECT_EQ(received_signal_dbm(10, {0, 0, 0}, {2000000000, 0, 0}, 1000.0, 2412), -128);
}

TEST(VwifiSignal, LossRuleBoundaries) {
  for (std::uint32_t r = 0; r <= 52; ++r) {
    EXPECT_FALSE(vwifi_drops(-39, r));  // never above -40 dBm
    EXPECT_TRUE(vwifi_drops(-92, r));   // always at -92 dBm and below
  }
  EXPECT_TRUE(vwifi_drops(-40, 0));
  EXPECT_FALSE(vwifi_drops(-40, 1));
  EXPECT_TRUE(vwifi_drops(-70, 30));
  EXPECT_FALSE(vwifi_drops(-70, 31));
}

}  // namespace
}  // namespace vmesh::relay
