#include "base/wire/message_builder.hpp"

#include <gtest/gtest.h>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_decoder.hpp"

namespace vmesh::wire {
namespace {

TEST(MessageBuilder, WritesTheDocumentedBytes) {
  std::vector<std::uint8_t> out;
  MessageBuilder b(out, 10, HwsimCmd::frame, {.type = 29, .flags = 0, .seq = 1, .pid = 0});
  b.put_mac(HwsimAttr::addr_transmitter, *MacAddress::parse("02:00:00:00:01:00"));
  b.finish();
  const std::vector<std::uint8_t> expected = {0x0a, 0x20, 0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00,
                                              0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
                                              0x01, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x00, 0x02, 0x00,
                                              0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
  EXPECT_EQ(out, expected);
}

TEST(MessageBuilder, RoundTripsThroughDecoderAndReader) {
  std::vector<std::uint8_t> out;
  const std::vector<std::uint8_t> frame = {0x88, 0x01, 0x2c, 0x00, 0x01};
  MessageBuilder b(out, -42, HwsimCmd::frame, {.type = 30, .flags = 1, .seq = 7, .pid = 99});
  b.put_mac(HwsimAttr::addr_receiver, *MacAddress::parse("42:00:00:00:02:00"));
  b.put(HwsimAttr::frame, frame);
  b.put_u32(HwsimAttr::rx_rate, 1);
  b.put_u32(HwsimAttr::signal, static_cast<std::uint32_t>(-42));
  b.put_u32(HwsimAttr::freq, 5180);
  b.put_u64(HwsimAttr::cookie, 0x0102030405060708ull);
  const auto msg = b.finish();

  ASSERT_EQ(decode_message(msg).status, DecodeStatus::complete);
  EXPECT_EQ(decode_message(msg).wire_bytes, out.size());
  const HwsimMessage m = read_hwsim_message(msg);
  EXPECT_EQ(m.power_dbm, -42);
  EXPECT_EQ(m.nlmsg_type, 30);
  EXPECT_EQ(m.nlmsg_seq, 7u);
  EXPECT_EQ(m.nlmsg_pid, 99u);
  EXPECT_EQ(m.receiver->to_string(), "42:00:00:00:02:00");
  EXPECT_TRUE(std::equal(m.frame.begin(), m.frame.end(), frame.begin(), frame.end()));
  EXPECT_EQ(m.rx_rate, 1u);
  EXPECT_EQ(static_cast<std::int32_t>(*m.signal_dbm), -42);
  EXPECT_EQ(m.freq_mhz, 5180u);
  EXPECT_EQ(m.cookie, 0x0102030405060708ull);
}

TEST(MessageBuilder, AppendsSeveralMessagesToOneBuffer) {
  std::vector<std::uint8_t> out;
  for (int i = 0; i < 3; ++i) {
    MessageBuilder b(out, static_cast<std::int8_t>(i), HwsimCmd::frame, {});
    b.put(HwsimAttr::frame, std::vector<std::uint8_t>(static_cast<std::size_t>(i + 1), 7));
    b.finish();
  }
  std::span<const std::uint8_t> rest(out);
  for (int i = 0; i < 3; ++i) {
    const auto r = decode_message(rest);
    ASSERT_EQ(r.status, DecodeStatus::complete);
    EXPECT_EQ(read_hwsim_message(rest.first(r.wire_bytes)).frame.size(),
              static_cast<std::size_t>(i + 1));
    EXPECT_EQ(static_cast<std::int8_t>(rest[0]), i);
    rest = rest.subspan(r.wire_bytes);
  }
  EXPECT_TRUE(rest.empty());
}

TEST(MessageBuilder, SetPowerRewritesOnlyTheFirstByte) {
  std::vector<std::uint8_t> out;
  MessageBuilder b(out, 10, HwsimCmd::frame, {});
  b.put_u32(HwsimAttr::freq, 2412);
  b.finish();
  auto copy = out;
  set_power(copy, -60);
  EXPECT_EQ(static_cast<std::int8_t>(copy[0]), -60);
  EXPECT_TRUE(std::equal(copy.begin() + 1, copy.end(), out.begin() + 1));
}

}  // namespace
}  // namespace vmesh::wire
