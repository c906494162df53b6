// Small pure pieces: units, frame classification, path loss, MAC prefixes, channels.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "medium/frame_kind.hpp"
#include "medium/path_loss.hpp"
#include "medium/topology.hpp"
#include "medium/units.hpp"

namespace vmesh::medium {
namespace {

TEST(Units, Durations) {
  EXPECT_EQ(parse_duration("250us").value_us, 250U);
  EXPECT_EQ(parse_duration("2ms").value_us, 2000U);
  EXPECT_EQ(parse_duration("1.5s").value_us, 1'500'000U);
  EXPECT_EQ(parse_duration("30s").value_us, 30'000'000U);
  EXPECT_EQ(parse_duration("2min").value_us, 120'000'000U);
  EXPECT_EQ(parse_duration("0").value_us, 0U);
  EXPECT_EQ(parse_duration("0.0005ms").value_us, 1U);  // rounded to whole microseconds
  EXPECT_EQ(parse_duration("-0s").value_us, 0U);
  EXPECT_EQ(parse_duration("-5s").error, UnitError::negative);
  EXPECT_FALSE(parse_duration("-5s").value_us);
  for (std::string_view bad : {"", "5", "ms", "2 ms", "1e3ms", "2h", "1..5s", "5sec"}) {
    EXPECT_FALSE(parse_duration(bad).value_us) << bad;
  }
  EXPECT_EQ(format_duration(0), "0");
  EXPECT_EQ(format_duration(250), "250us");
  EXPECT_EQ(format_duration(1500), "1500us");
  EXPECT_EQ(format_duration(2000), "2ms");
  EXPECT_EQ(format_duration(30'000'000), "30s");
  EXPECT_EQ(format_duration(120'000'000), "2min");
}

TEST(Units, Rates) {
  EXPECT_EQ(parse_rate_bps("10Mbps").value_us, 10'000'000U);
  EXPECT_EQ(parse_rate_bps("1.5mbit").value_us, 1'500'000U);
  EXPECT_EQ(parse_rate_bps("512kbit").value_us, 512'000U);
  EXPECT_EQ(parse_rate_bps("1Gbps").value_us, 1'000'000'000U);
  EXPECT_EQ(parse_rate_bps("800bps").value_us, 800U);
  EXPECT_FALSE(parse_rate_bps("10MB").value_us);
  EXPECT_EQ(format_rate(2'000'000), "2Mbps");
  EXPECT_EQ(format_rate(1'500'000), "1500kbps");
}

TEST(FrameKind, ClassifiesByTypeAndGroupBit) {
  const std::array<std::uint8_t, 10> beacon{0x80, 0x00, 0x00, 0x00, 0xff,
                                            0xff, 0xff, 0xff, 0xff, 0xff};
  const std::array<std::uint8_t, 10> auth{0xb0, 0x00, 0x00, 0x00, 0x02,
                                          0x00, 0x00, 0x00, 0x01, 0x00};
  const std::array<std::uint8_t, 10> qos_multicast{0x88, 0x01, 0x00, 0x00, 0x01,
                                                   0x00, 0x5e, 0x00, 0x00, 0x01};
  const std::array<std::uint8_t, 10> data_unicast{0x08, 0x02, 0x00, 0x00, 0x42,
                                                  0x00, 0x00, 0x00, 0x02, 0x00};
  const std::array<std::uint8_t, 10> ack{0xd4, 0x00, 0x00, 0x00, 0x02,
                                         0x00, 0x00, 0x00, 0x01, 0x00};
  const std::array<std::uint8_t, 9> short_frame{0x80, 0x00, 0x00, 0x00, 0xff,
                                                0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(classify_frame(beacon), FrameKind::mgmt_broadcast);
  EXPECT_EQ(classify_frame(auth), FrameKind::mgmt_unicast);
  EXPECT_EQ(classify_frame(qos_multicast), FrameKind::data_broadcast);
  EXPECT_EQ(classify_frame(data_unicast), FrameKind::data_unicast);
  EXPECT_EQ(classify_frame(ack), FrameKind::other);
  EXPECT_EQ(classify_frame(short_frame), FrameKind::other);
  EXPECT_EQ(to_string(FrameKind::data_unicast), "data_unicast");
}

TEST(PathLoss, Formulas) {
  EXPECT_NEAR(free_space_loss_db(1, 2412), 40.098, 0.001);
  EXPECT_NEAR(free_space_loss_db(100, 2412), 80.098, 0.001);
  EXPECT_NEAR(free_space_loss_db(0, 2412), free_space_loss_db(0.1, 2412), 1e-9);
  EXPECT_NEAR(log_distance_loss_db(100, 2412, 3.0, 1.0), 40.098 + 60, 0.001);
  EXPECT_NEAR(log_distance_loss_db(0.5, 2412, 3.0, 1.0), free_space_loss_db(0.5, 2412), 1e-9);
  EXPECT_DOUBLE_EQ(distance_m(Position{0, 0, 0}, Position{3, 4, 12}), 13.0);
  EXPECT_EQ(clamp_signal_dbm(-200), -128);
  EXPECT_EQ(clamp_signal_dbm(0), -10);
  EXPECT_EQ(clamp_signal_dbm(-49.6), -50);
}

TEST(TopologyValues, MacPrefixesAndChannels) {
  EXPECT_EQ(default_mac_prefix(0), (MacPrefix{0x02, 0, 0, 0, 0x01}));
  EXPECT_EQ(default_mac_prefix(9), (MacPrefix{0x02, 0, 0, 0, 0x0a}));
  EXPECT_TRUE(same_identity(MacPrefix{0x42, 0, 0, 0, 1}, MacPrefix{0x02, 0, 0, 0, 1}));
  EXPECT_FALSE(same_identity(MacPrefix{0x02, 0, 0, 0, 1}, MacPrefix{0x03, 0, 0, 0, 1}));
  EXPECT_EQ(channel_to_freq_mhz(1), 2412U);
  EXPECT_EQ(channel_to_freq_mhz(13), 2472U);
  EXPECT_EQ(channel_to_freq_mhz(14), 2484U);
  EXPECT_EQ(channel_to_freq_mhz(36), 5180U);
  EXPECT_FALSE(channel_to_freq_mhz(15));
}

}  // namespace
}  // namespace vmesh::medium
