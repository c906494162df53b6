#include "base/wire/message_decoder.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "base/wire/message_builder.hpp"

namespace vmesh::wire {
namespace {

// A 1-byte power + 16-byte nlmsghdr + 4-byte genlmsghdr + one 12-byte attribute, laid out
// by hand (little-endian) so the decoder is checked against the documented bytes, not
// against our own encoder.
const std::vector<std::uint8_t> kVector = {
    0x0a,                                            // power 10 dBm
    0x20, 0x00, 0x00, 0x00,                          // nlmsg_len 32
    0x1d, 0x00,                                      // type 29 (family id)
    0x00, 0x00,                                      // flags
    0x01, 0x00, 0x00, 0x00,                          // seq 1
    0x00, 0x00, 0x00, 0x00,                          // pid 0
    0x02, 0x01, 0x00, 0x00,                          // cmd FRAME, version 1
    0x0a, 0x00, 0x02, 0x00,                          // attr len 10, ADDR_TRANSMITTER
    0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // 02:00:00:00:01:00 + 2 pad
};

TEST(MessageDecoder, AcceptsHandLaidVector) {
  const DecodeResult result = decode_message(kVector);
  EXPECT_EQ(result.status, DecodeStatus::complete);
  EXPECT_EQ(result.wire_bytes, 33u);
}

TEST(MessageDecoder, NeedsMoreForEveryShorterPrefix) {
  for (std::size_t cut = 0; cut < kVector.size(); ++cut) {
    const DecodeResult result = decode_message(std::span(kVector).first(cut));
    EXPECT_EQ(result.status, DecodeStatus::need_more) << "cut at " << cut;
    if (cut >= 5) {
      EXPECT_EQ(result.wire_bytes, 33u);
    }
  }
}

TEST(MessageDecoder, FindsBoundariesInAnySplitOfAStream) {
  std::vector<std::uint8_t> stream;
  for (int i = 0; i < 3; ++i) stream.insert(stream.end(), kVector.begin(), kVector.end());
  // Feed the stream in chunks of every size; reassemble like a receiver does.
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    std::vector<std::uint8_t> pending;
    int messages = 0;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      const auto end = std::min(stream.size(), at + chunk);
      pending.insert(pending.end(), stream.begin() + static_cast<long>(at),
                     stream.begin() + static_cast<long>(end));
      for (;;) {
        const DecodeResult r = decode_message(pending);
        ASSERT_NE(r.status, DecodeStatus::malformed);
        if (r.status == DecodeStatus::need_more) break;
        pending.erase(pending.begin(), pending.begin() + static_cast<long>(r.wire_bytes));
        ++messages;
      }
    }
    EXPECT_EQ(messages, 3) << "chunk " << chunk;
    EXPECT_TRUE(pending.empty());
  }
}

TEST(MessageDecoder, RejectsNlmsgLenBelowHeaders) {
  auto bytes = kVector;
  bytes[1] = 19;
  const DecodeResult result = decode_message(bytes);
  EXPECT_EQ(result.status, DecodeStatus::malformed);
  EXPECT_EQ(result.error, DecodeError::nlmsg_len_too_small);
  EXPECT_EQ(result.bad_value, 19u);
}

TEST(MessageDecoder, RejectsNlmsgLenZeroBeforeWaitingForBody) {
  const std::vector<std::uint8_t> bytes = {0x0a, 0, 0, 0, 0};
  EXPECT_EQ(decode_message(bytes).error, DecodeError::nlmsg_len_too_small);
}

TEST(MessageDecoder, RejectsNlmsgLenAboveBoundAtOnce) {
  const std::vector<std::uint8_t> bytes = {0x0a, 0x01, 0x40, 0x00, 0x00};  // 16385
  const DecodeResult result = decode_message(bytes);
  EXPECT_EQ(result.status, DecodeStatus::malformed);
  EXPECT_EQ(result.error, DecodeError::nlmsg_len_too_large);
  EXPECT_EQ(result.bad_value, 16385u);
}

TEST(MessageDecoder, AcceptsLargestBoundAndLargerThanVwifiCap) {
  std::vector<std::uint8_t> out;
  MessageBuilder b(out, 10, HwsimCmd::frame, {});
  std::vector<std::uint8_t> frame(2304 + 36, 0xab);  // largest non-HT MPDU + header
  b.put(HwsimAttr::frame, frame);
  b.finish();
  ASSERT_GT(out.size() - 1, kVwifiMaxNlmsgLen);
  EXPECT_EQ(decode_message(out).status, DecodeStatus::complete);

  std::vector<std::uint8_t> biggest;
  MessageBuilder big(biggest, 10, HwsimCmd::frame, {});
  big.put(HwsimAttr::frame, std::vector<std::uint8_t>(kMaxNlmsgLen - kOffsetAttrs - 4, 1));
  big.finish();
  EXPECT_EQ(biggest.size() - 1, kMaxNlmsgLen);
  EXPECT_EQ(decode_message(biggest).status, DecodeStatus::complete);
}

TEST(MessageDecoder, RejectsAttributeShorterThanItsHeader) {
  auto bytes = kVector;
  bytes[21] = 3;  // attr len 3
  const DecodeResult result = decode_message(bytes);
  EXPECT_EQ(result.error, DecodeError::attr_len_too_small);
  EXPECT_EQ(result.bad_value, 3u);
}

TEST(MessageDecoder, RejectsAttributeRunningPastMessage) {
  auto bytes = kVector;
  bytes[21] = 13;  // 13 > 12 bytes left
  const DecodeResult result = decode_message(bytes);
  EXPECT_EQ(result.error, DecodeError::attr_overrun);
  EXPECT_EQ(result.bad_value, 13u);
}

TEST(MessageDecoder, RejectsTrailingBytesTooShortForAnAttributeHeader) {
  // nlmsg_len 34: two stray bytes after the attribute.
  auto bytes = kVector;
  bytes[1] = 34;
  bytes.push_back(0);
  bytes.push_back(0);
  EXPECT_EQ(decode_message(bytes).error, DecodeError::attr_overrun);
}

TEST(MessageDecoder, AcceptsLastAttributeWithoutPadding) {
  auto bytes = kVector;
  bytes[1] = 30;  // nlmsg_len ends right after the 10-byte attribute
  bytes.resize(31);
  EXPECT_EQ(decode_message(bytes).status, DecodeStatus::complete);
}

TEST(MessageDecoder, EveryErrorHasADescription) {
  for (auto e : {DecodeError::nlmsg_len_too_small, DecodeError::nlmsg_len_too_large,
                 DecodeError::attr_len_too_small, DecodeError::attr_overrun}) {
    EXPECT_FALSE(describe(e).empty());
    EXPECT_NE(describe(e), describe(DecodeError::none));
  }
}

}  // namespace
}  // namespace vmesh::wire
