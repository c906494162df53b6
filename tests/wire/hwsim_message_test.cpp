#include "base/wire/hwsim_message.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vmesh::wire {
namespace {

// Every field a mac80211_hwsim FRAME message carries, laid out by hand.
const std::vector<std::uint8_t> kFrameMessage = {
    0xf6,                                            // power -10 dBm
    0x5c, 0x00, 0x00, 0x00,                          // nlmsg_len 92
    0x22, 0x00, 0x05, 0x00,                          // type 34, flags 5
    0x78, 0x56, 0x34, 0x12, 0x01, 0x02, 0x03, 0x04,  // seq 0x12345678, pid 0x04030201
    0x02, 0x01, 0x00, 0x00,                          // cmd FRAME, version 1
    0x0a, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,  // transmitter
    0x0b, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00,  // frame, 7 bytes
    0x08, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00,                          // flags REQ_TX_STATUS
    0x0c, 0x00, 0x07, 0x00, 0x00, 0x04, 0x01, 0x02, 0xff, 0x00, 0xff, 0x00,  // tx_info
    0x0c, 0x00, 0x08, 0x00, 0xef, 0xbe, 0xad, 0xde, 0x00, 0x00, 0x00, 0x00,  // cookie
    0x08, 0x00, 0x13, 0x00, 0x85, 0x09, 0x00, 0x00,                          // freq 2437
    0x08, 0x00, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00,  // tx_info_flags (4 bytes here)
};

TEST(HwsimMessage, ReadsEveryHeaderField) {
  const HwsimMessage m = read_hwsim_message(kFrameMessage);
  EXPECT_EQ(m.power_dbm, -10);
  EXPECT_EQ(m.nlmsg_type, 34);
  EXPECT_EQ(m.nlmsg_flags, 5);
  EXPECT_EQ(m.nlmsg_seq, 0x12345678u);
  EXPECT_EQ(m.nlmsg_pid, 0x04030201u);
  EXPECT_EQ(m.genl_cmd, static_cast<std::uint8_t>(HwsimCmd::frame));
  EXPECT_EQ(m.genl_version, 1);
}

TEST(HwsimMessage, ReadsEveryAttribute) {
  const HwsimMessage m = read_hwsim_message(kFrameMessage);
  ASSERT_TRUE(m.transmitter);
  EXPECT_EQ(m.transmitter->to_string(), "02:00:00:00:05:00");
  EXPECT_FALSE(m.receiver);
  ASSERT_EQ(m.frame.size(), 7u);
  EXPECT_EQ(m.frame[0], 0x80);
  EXPECT_EQ(m.frame[6], 0xff);
  EXPECT_EQ(m.flags, kHwsimTxCtlReqTxStatus);
  ASSERT_EQ(m.tx_info.size(), 8u);
  EXPECT_EQ(m.tx_info[1], 4);
  EXPECT_EQ(m.cookie, 0xdeadbeefu);
  EXPECT_EQ(m.freq_mhz, 2437u);
  EXPECT_EQ(m.freq_or_default(), 2437u);
  EXPECT_EQ(m.tx_info_flags.size(), 4u);
}

TEST(HwsimMessage, RoutingFastPathAgreesWithFullReader) {
  const FrameRouting r = read_frame_routing(kFrameMessage);
  ASSERT_TRUE(r.transmitter);
  EXPECT_EQ(r.transmitter->to_string(), "02:00:00:00:05:00");
  EXPECT_EQ(r.freq_mhz, 2437u);
  ASSERT_EQ(r.frame.size(), 7u);
  EXPECT_EQ(r.frame[0], 0x80);
}

TEST(HwsimMessage, FrequencyDefaultsTo2412WhenAbsent) {
  auto bytes = std::vector<std::uint8_t>(kFrameMessage.begin(), kFrameMessage.begin() + 33);
  bytes[1] = 32;  // keep only the transmitter attribute
  EXPECT_EQ(read_frame_routing(bytes).freq_mhz, 2412u);
  EXPECT_FALSE(read_hwsim_message(bytes).freq_mhz);
  EXPECT_EQ(read_hwsim_message(bytes).freq_or_default(), 2412u);
}

TEST(HwsimMessage, IgnoresAttributesOfTheWrongSize) {
  auto bytes = kFrameMessage;
  bytes[21] = 9;  // transmitter with 5 bytes of value
  const HwsimMessage m = read_hwsim_message(bytes);
  EXPECT_FALSE(m.transmitter);
  EXPECT_EQ(m.freq_mhz, 2437u);  // the walk continues
}

TEST(HwsimMessage, ToleratesTruncatedInputWithoutReadingPastIt) {
  for (std::size_t cut = 0; cut < kFrameMessage.size(); ++cut) {
    std::vector<std::uint8_t> prefix(kFrameMessage.begin(),
                                     kFrameMessage.begin() + static_cast<long>(cut));
    (void)read_hwsim_message(prefix);
    (void)read_frame_routing(prefix);
  }
  SUCCEED();  // ASan/valgrind builds turn an over-read here into a failure
}

}  // namespace
}  // namespace vmesh::wire
