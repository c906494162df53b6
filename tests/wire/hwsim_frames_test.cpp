#include "base/wire/hwsim_frames.hpp"

#include <gtest/gtest.h>

namespace vmesh::wire {
namespace {

const MacAddress kFirst{{0x42, 0, 0, 0, 0, 0}};
const MacAddress kSecond{{0x42, 0, 0, 0, 1, 0}};
const MacAddress kThird{{0x42, 0, 0, 0, 2, 0}};

// A radio as a caller keeps it: the hwsim address is one member among others.
struct Radio {
  MacAddress perm_addr;
  MacAddress hwsim_addr;
};

TEST(HwsimFrames, LocalForwardsReachEveryRadioButTheSender) {
  const std::vector<std::uint8_t> frame(24, 0xab);
  const std::vector<std::uint8_t> tx_info = {3, 1, 0xff, 0};
  HwsimMessage tx;
  tx.frame = frame;
  tx.tx_info = tx_info;
  tx.freq_mhz = 5180;
  const std::vector<Radio> radios = {
      {.hwsim_addr = kFirst}, {.hwsim_addr = kSecond}, {.hwsim_addr = kThird}};

  std::vector<std::uint8_t> out;
  EXPECT_EQ(append_local_forwards(out, 29, tx, radios, 1, &Radio::hwsim_addr), 2u);

  std::vector<std::uint8_t> expected;
  for (const MacAddress& receiver : {kFirst, kThird}) {
    append_rx_frame(expected, 29,
                    {.receiver = receiver,
                     .frame = frame,
                     .rx_rate = 3,
                     .signal_dbm = kLocalSignalDbm,
                     .freq_mhz = 5180});
  }
  EXPECT_EQ(out, expected) << "the first and third radio, in order, at distance 0";
}

TEST(HwsimFrames, NoLocalForwardsWithoutAFrameOrASibling) {
  const std::vector<std::uint8_t> frame(24, 0xab);
  HwsimMessage tx;
  std::vector<std::uint8_t> out;
  EXPECT_EQ(append_local_forwards(out, 29, tx, std::vector<MacAddress>{kFirst, kSecond}, 0), 0u);
  tx.frame = frame;
  EXPECT_EQ(append_local_forwards(out, 29, tx, std::vector<MacAddress>{kFirst}, 0), 0u);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace vmesh::wire
