#include "base/wire/tx_status.hpp"

#include <gtest/gtest.h>

#include "base/wire/message_builder.hpp"
#include "base/wire/message_decoder.hpp"

namespace vmesh::wire {
namespace {

// A data frame header: frame control, duration, addr1 (the receiver).
std::vector<std::uint8_t> frame_to(const char* addr1) {
  std::vector<std::uint8_t> f = {0x88, 0x02, 0x00, 0x00};
  const auto mac = *MacAddress::parse(addr1);
  f.insert(f.end(), mac.bytes.begin(), mac.bytes.end());
  f.resize(30, 0xab);
  return f;
}

// A TX frame as mac80211_hwsim hands it to its medium.
std::vector<std::uint8_t> kernel_frame(const std::vector<std::uint8_t>& frame, std::uint32_t flags,
                                       std::vector<std::uint8_t> tx_info) {
  std::vector<std::uint8_t> out;
  MessageBuilder b(out, 10, HwsimCmd::frame, {.type = 29});
  b.put_mac(HwsimAttr::addr_transmitter, *MacAddress::parse("02:00:00:00:01:00"));
  b.put(HwsimAttr::frame, frame);
  b.put_u32(HwsimAttr::flags, flags);
  b.put_u32(HwsimAttr::freq, 2412);
  b.put(HwsimAttr::tx_info, tx_info);
  b.put_u64(HwsimAttr::cookie, 77);
  b.finish();
  return out;
}

const std::vector<std::uint8_t> kChain = {7, 2, 5, 3, 0, 4, 0xff, 0};  // 9 attempts planned

TEST(TxStatus, HelloIsAValidMessageOfItsOwnCommand) {
  std::vector<std::uint8_t> out;
  append_hello(out);
  ASSERT_EQ(decode_message(out).status, DecodeStatus::complete);
  EXPECT_EQ(decode_message(out).wire_bytes, out.size());
  EXPECT_TRUE(is_hello(out));
  const auto frame = kernel_frame(frame_to("02:00:00:00:02:00"), 1, kChain);
  EXPECT_FALSE(is_hello(frame));
  out[1 + kOffsetGenlVersion] = 2;  // a later version we do not speak
  EXPECT_FALSE(is_hello(out));
}

TEST(TxStatus, OnlyIndividuallyAddressedFramesThatExpectAnAckGoToTheMedium) {
  const auto unicast = kernel_frame(frame_to("02:00:00:00:02:00"), 1, kChain);
  EXPECT_TRUE(wants_medium_ack(read_hwsim_message(unicast)));
  const auto broadcast = kernel_frame(frame_to("ff:ff:ff:ff:ff:ff"), 1, kChain);
  EXPECT_FALSE(wants_medium_ack(read_hwsim_message(broadcast)));
  const auto multicast = kernel_frame(frame_to("33:33:00:00:00:01"), 1, kChain);
  EXPECT_FALSE(wants_medium_ack(read_hwsim_message(multicast)));
  const auto no_ack = kernel_frame(frame_to("02:00:00:00:02:00"), kHwsimTxCtlNoAck, kChain);
  EXPECT_FALSE(wants_medium_ack(read_hwsim_message(no_ack)));
  const auto no_info = kernel_frame(frame_to("02:00:00:00:02:00"), 1, {});
  EXPECT_FALSE(wants_medium_ack(read_hwsim_message(no_info)));
}

TEST(TxStatus, PlannedAttemptsStopAtTheFirstUnusedRate) {
  EXPECT_EQ(planned_attempts(kChain), 9u);
  EXPECT_EQ(planned_attempts(std::vector<std::uint8_t>{0xff, 3, 7, 2}), 0u);
}

TEST(TxStatus, SpendingAttemptsWalksTheChainInOrder) {
  auto rates = kChain;
  spend_attempts(rates, 1);
  EXPECT_EQ(rates, (std::vector<std::uint8_t>{7, 1, 0xff, 0, 0xff, 0, 0xff, 0}));
  rates = kChain;
  spend_attempts(rates, 4);
  EXPECT_EQ(rates, (std::vector<std::uint8_t>{7, 2, 5, 2, 0xff, 0, 0xff, 0}));
  rates = kChain;
  spend_attempts(rates, 9);
  EXPECT_EQ(rates, (std::vector<std::uint8_t>{7, 2, 5, 3, 0, 4, 0xff, 0}));
  rates = kChain;
  spend_attempts(rates, 50);  // never more than planned
  EXPECT_EQ(rates, kChain);
}

TEST(TxStatus, StatusMessageCarriesVerdictAttemptsAndCookie) {
  const auto tx_bytes = kernel_frame(frame_to("02:00:00:00:02:00"), 1, kChain);
  const HwsimMessage tx = read_hwsim_message(tx_bytes);

  std::vector<std::uint8_t> out;
  ASSERT_TRUE(append_tx_status_message(out, tx, {.acked = true, .attempts = 3}, -40));
  ASSERT_EQ(decode_message(out).status, DecodeStatus::complete);
  const HwsimMessage acked = read_hwsim_message(out);
  EXPECT_EQ(acked.genl_cmd, static_cast<std::uint8_t>(HwsimCmd::tx_info_frame));
  EXPECT_EQ(acked.transmitter, tx.transmitter);
  EXPECT_EQ(acked.flags, 1u | kHwsimTxStatAck);
  EXPECT_EQ(acked.cookie, 77u);
  EXPECT_EQ(static_cast<std::int32_t>(*acked.signal_dbm), -40);
  EXPECT_EQ(std::vector<std::uint8_t>(acked.tx_info.begin(), acked.tx_info.end()),
            (std::vector<std::uint8_t>{7, 2, 5, 1, 0xff, 0, 0xff, 0}));

  out.clear();
  ASSERT_TRUE(append_tx_status_message(out, tx, {.acked = false, .attempts = 9}, -40));
  const HwsimMessage lost = read_hwsim_message(out);
  EXPECT_EQ(lost.flags, 1u);
  EXPECT_EQ(std::vector<std::uint8_t>(lost.tx_info.begin(), lost.tx_info.end()), kChain);

  HwsimMessage incomplete = tx;
  incomplete.cookie.reset();
  out.clear();
  EXPECT_FALSE(append_tx_status_message(out, incomplete, {}, -40));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace vmesh::wire
