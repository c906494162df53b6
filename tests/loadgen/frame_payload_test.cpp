#include "bench/loadgen/frame_payload.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_builder.hpp"
#include "base/wire/message_decoder.hpp"
#include "bench/loadgen/frame_batch.hpp"

namespace vmesh::bench {
namespace {

TEST(FramePayload, RoundTripsSenderSeqAndTimestamp) {
  for (const std::size_t size : {kMinFrameBytes, std::size_t{100}, std::size_t{1500}}) {
    std::vector<std::uint8_t> frame(size);
    const PayloadStamp stamp{7, 0x0123456789abcdefULL, 987654321012345ULL};
    ASSERT_TRUE(write_frame(frame, stamp));
    const auto back = read_stamp(frame);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, stamp);
  }
}

TEST(FramePayload, RestampChangesOnlySeqAndTime) {
  std::vector<std::uint8_t> frame(100);
  ASSERT_TRUE(write_frame(frame, PayloadStamp{3, 1, 2}));
  restamp_frame(frame, 42, 4242);
  EXPECT_EQ(read_stamp(frame), (PayloadStamp{3, 42, 4242}));
  // 802.11 sequence control carries the low 12 bits of the sequence number.
  EXPECT_EQ(frame[22] | (frame[23] << 8), 42 << 4);
}

TEST(FramePayload, IsAnIbssDataFrameFromTheClientAddress) {
  std::vector<std::uint8_t> frame(100);
  ASSERT_TRUE(write_frame(frame, PayloadStamp{0x12, 0, 0}));
  EXPECT_EQ(frame[0], 0x08);  // type data
  EXPECT_EQ(frame[1], 0x00);  // no ToDS/FromDS
  for (int i = 4; i < 10; ++i) EXPECT_EQ(frame[static_cast<std::size_t>(i)], 0xff);
  const auto mac = client_mac(0x12);
  EXPECT_TRUE(std::equal(mac.bytes.begin(), mac.bytes.end(), frame.begin() + 10));
  EXPECT_EQ(mac.to_string(), "42:00:00:00:12:00");
  EXPECT_EQ(client_mac(0x1ff).to_string(), "42:00:00:01:ff:00");
  EXPECT_EQ(frame[24], 0xaa);
  EXPECT_EQ(frame[30], 0x88);
  EXPECT_EQ(frame[31], 0xb5);
}

TEST(FramePayload, RejectsShortOrForeignFrames) {
  std::vector<std::uint8_t> too_short(kMinFrameBytes - 1);
  EXPECT_FALSE(write_frame(too_short, PayloadStamp{}));
  EXPECT_FALSE(read_stamp(too_short).has_value());
  std::vector<std::uint8_t> frame(100);
  ASSERT_TRUE(write_frame(frame, PayloadStamp{1, 2, 3}));
  frame[kStampOffset] ^= 0xff;  // break the magic
  EXPECT_FALSE(read_stamp(frame).has_value());
}

TEST(FrameBatch, BuildsValidVwifiFrameMessages) {
  FrameBatch batch(4, 100, 8);
  const auto bytes = batch.stamp(5, 1000, 555);
  ASSERT_EQ(bytes.size(), 5 * batch.message_bytes());
  std::size_t offset = 0;
  for (std::uint64_t k = 0; k < 5; ++k) {
    const auto rest = bytes.subspan(offset);
    const auto decoded = wire::decode_message(rest);
    ASSERT_EQ(decoded.status, wire::DecodeStatus::complete);
    ASSERT_EQ(decoded.wire_bytes, batch.message_bytes());
    const auto msg = wire::read_hwsim_message(rest.first(decoded.wire_bytes));
    EXPECT_EQ(msg.genl_cmd, static_cast<std::uint8_t>(wire::HwsimCmd::frame));
    EXPECT_EQ(msg.transmitter, client_mac(4));
    EXPECT_EQ(msg.frame.size(), 100u);
    EXPECT_EQ(msg.freq_mhz, 2412u);
    EXPECT_EQ(msg.flags, wire::kHwsimTxCtlReqTxStatus);
    EXPECT_EQ(msg.tx_info.size(), 8u);
    EXPECT_EQ(msg.cookie, 1000 + k);
    EXPECT_EQ(msg.nlmsg_seq, 1000 + k);
    EXPECT_EQ(read_stamp(msg.frame), (PayloadStamp{4, 1000 + k, 555}));
    offset += decoded.wire_bytes;
  }
}

TEST(FrameBatch, FrameAttributeFindsTheFrameInAnyLayout) {
  FrameBatch batch(2, 300, 1);
  const auto ours = batch.stamp(1, 9, 99);
  const auto fast = frame_attribute(ours);
  EXPECT_EQ(fast.size(), 300u);
  EXPECT_EQ(read_stamp(fast), (PayloadStamp{2, 9, 99}));

  // Another layout (FRAME first, no transmitter) goes through the generic parser.
  std::vector<std::uint8_t> frame(120);
  ASSERT_TRUE(write_frame(frame, PayloadStamp{5, 6, 7}));
  std::vector<std::uint8_t> other;
  wire::MessageBuilder builder(other, 10, wire::HwsimCmd::frame, {});
  builder.put(wire::HwsimAttr::frame, frame);
  builder.put_u32(wire::HwsimAttr::freq, 2412);
  const auto message = builder.finish();
  EXPECT_EQ(read_stamp(frame_attribute(message)), (PayloadStamp{5, 6, 7}));

  // No FRAME at all: empty.
  std::vector<std::uint8_t> none;
  wire::MessageBuilder empty(none, 10, wire::HwsimCmd::frame, {});
  empty.put_u32(wire::HwsimAttr::freq, 2412);
  EXPECT_TRUE(frame_attribute(empty.finish()).empty());
}

TEST(FrameBatch, RejectsBadSizes) {
  EXPECT_THROW(FrameBatch(0, kMinFrameBytes - 1, 1), std::invalid_argument);
  EXPECT_THROW(FrameBatch(0, 100, 0), std::invalid_argument);
  EXPECT_NO_THROW(FrameBatch(0, 1500, 1));
}

}  // namespace
}  // namespace vmesh::bench
