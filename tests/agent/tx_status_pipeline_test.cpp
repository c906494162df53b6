// The agent's side of the TX-status extension on hand-laid bytes: accepting the relay's
// offer, holding back unicast statuses, handing the relay's verdicts to the kernel, and
// answering "not acknowledged" for what the relay can no longer answer.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_builder.hpp"
#include "base/wire/tx_status.hpp"
#include "relay/agent/frame_pipeline.hpp"
#include "relay/agent/netlink_protocol.hpp"

namespace vmesh::agent {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::uint16_t kFamily = 0x22;
const Bytes kChain = {3, 3, 2, 2, 0xff, 0, 0xff, 0};  // 5 attempts planned
const wire::MacAddress kRadio{{0x02, 0, 0, 0, 1, 0}};

// HWSIM_CMD_FRAME from our radio as the kernel sends it (no power byte), to `addr1`.
Bytes kernel_frame(std::uint64_t cookie, std::uint8_t addr1_first = 0x02) {
  Bytes frame = {0x08, 0x02, 0, 0, addr1_first, 0, 0, 0, 2, 0, 0x02, 0, 0, 0, 1, 0};
  frame.resize(40, 0x11);
  Bytes wire_msg;
  wire::MessageBuilder b(wire_msg, 0, wire::HwsimCmd::frame, {.type = kFamily});
  b.put_mac(wire::HwsimAttr::addr_transmitter, kRadio);
  b.put(wire::HwsimAttr::frame, frame);
  b.put_u32(wire::HwsimAttr::flags, wire::kHwsimTxCtlReqTxStatus);
  b.put_u32(wire::HwsimAttr::freq, 2412);
  b.put(wire::HwsimAttr::tx_info, kChain);
  b.put_u64(wire::HwsimAttr::cookie, cookie);
  b.finish();
  return Bytes(wire_msg.begin() + 1, wire_msg.end());
}

Bytes hello() {
  Bytes out;
  wire::append_hello(out);
  return out;
}

// The relay's verdict for the frame with `cookie`, as the relay writes it.
Bytes relay_status(std::uint64_t cookie, bool acked, std::uint32_t attempts) {
  Bytes tx = kernel_frame(cookie);
  Bytes with_power(tx.size() + 1, 0);
  std::copy(tx.begin(), tx.end(), with_power.begin() + 1);
  Bytes out;
  wire::append_tx_status_message(out, wire::read_hwsim_message(with_power),
                                 {.acked = acked, .attempts = attempts}, -55);
  return out;
}

std::vector<wire::HwsimMessage> kernel_messages(const Bytes& kernel_out,
                                                std::vector<Bytes>& storage) {
  storage.clear();
  for_each_netlink_message(kernel_out, [&](const NetlinkView& v) {
    Bytes m(v.bytes.size() + 1, 0);
    std::copy(v.bytes.begin(), v.bytes.end(), m.begin() + 1);
    storage.push_back(std::move(m));
  });
  std::vector<wire::HwsimMessage> out;
  for (const Bytes& m : storage) out.push_back(wire::read_hwsim_message(m));
  return out;
}

FramePipeline accepted_pipeline(Bytes& relay_out) {
  FramePipeline p(kFamily, {{kRadio, kRadio}}, 10);
  Bytes kernel_out;
  EXPECT_EQ(p.on_relay_message(hello(), &relay_out, kernel_out), RelayEventKind::tx_status_on);
  EXPECT_TRUE(kernel_out.empty());
  return p;
}

TEST(AgentTxStatus, HelloIsAnsweredOnceWithHello) {
  Bytes relay_out;
  FramePipeline p = accepted_pipeline(relay_out);
  EXPECT_EQ(relay_out, hello());
  EXPECT_TRUE(p.medium_acks());
  Bytes kernel_out;
  EXPECT_EQ(p.on_relay_message(hello(), &relay_out, kernel_out), RelayEventKind::ignored);
  EXPECT_EQ(relay_out, hello()) << "accepted twice";
}

TEST(AgentTxStatus, WithoutTheOfferEveryFrameIsAckedLocallyAsVwifiDoes) {
  FramePipeline p(kFamily, {{kRadio, kRadio}}, 10);
  Bytes relay_out;
  Bytes kernel_out;
  p.on_kernel_message(kernel_frame(1), &relay_out, kernel_out);
  std::vector<Bytes> storage;
  const auto msgs = kernel_messages(kernel_out, storage);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].flags, wire::kHwsimTxCtlReqTxStatus | wire::kHwsimTxStatAck);
}

TEST(AgentTxStatus, UnicastWaitsForTheRelayAndGetsItsVerdictVerbatim) {
  Bytes relay_out;
  FramePipeline p = accepted_pipeline(relay_out);
  Bytes kernel_out;
  p.on_kernel_message(kernel_frame(7), &relay_out, kernel_out);
  EXPECT_TRUE(kernel_out.empty()) << "unicast frame acknowledged before the medium said so";
  EXPECT_EQ(p.counters().awaiting_medium, 1u);

  const Bytes verdict = relay_status(7, false, 5);
  EXPECT_EQ(p.on_relay_message(verdict, &relay_out, kernel_out), RelayEventKind::tx_status);
  // Same attributes; the header is ours: family id, NLM_F_REQUEST.
  ASSERT_EQ(kernel_out.size(), verdict.size() - 1);
  EXPECT_EQ(kernel_out[4], kFamily);
  EXPECT_EQ(kernel_out[6], 1);
  EXPECT_TRUE(std::equal(kernel_out.begin() + 16, kernel_out.end(), verdict.begin() + 17));
  std::vector<Bytes> storage;
  const auto msgs = kernel_messages(kernel_out, storage);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].flags, wire::kHwsimTxCtlReqTxStatus) << "lost on the medium: no ACK";
  EXPECT_EQ(Bytes(msgs[0].tx_info.begin(), msgs[0].tx_info.end()), kChain);
  EXPECT_EQ(p.counters().medium_statuses, 1u);
}

TEST(AgentTxStatus, GroupFramesAreStillAckedLocally) {
  Bytes relay_out;
  FramePipeline p = accepted_pipeline(relay_out);
  Bytes kernel_out;
  p.on_kernel_message(kernel_frame(3, 0xff), &relay_out, kernel_out);
  std::vector<Bytes> storage;
  ASSERT_EQ(kernel_messages(kernel_out, storage).size(), 1u);
  EXPECT_EQ(p.counters().awaiting_medium, 0u);
}

TEST(AgentTxStatus, StatusesNobodyWaitsForAreNotPassedOn) {
  Bytes relay_out;
  FramePipeline p = accepted_pipeline(relay_out);
  Bytes kernel_out;
  EXPECT_EQ(p.on_relay_message(relay_status(99, true, 1), &relay_out, kernel_out),
            RelayEventKind::ignored);
  EXPECT_TRUE(kernel_out.empty());
}

TEST(AgentTxStatus, SkippedFramesAreReportedNotAcked) {
  Bytes relay_out;
  FramePipeline p = accepted_pipeline(relay_out);
  Bytes kernel_out;
  p.on_kernel_message(kernel_frame(1), &relay_out, kernel_out);
  p.on_kernel_message(kernel_frame(2), &relay_out, kernel_out);
  p.on_relay_message(relay_status(2, true, 1), &relay_out, kernel_out);
  std::vector<Bytes> storage;
  const auto msgs = kernel_messages(kernel_out, storage);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].cookie, 1u);
  EXPECT_EQ(msgs[0].flags, wire::kHwsimTxCtlReqTxStatus);
  EXPECT_EQ(msgs[1].cookie, 2u);
  EXPECT_EQ(msgs[1].flags, wire::kHwsimTxCtlReqTxStatus | wire::kHwsimTxStatAck);
  EXPECT_EQ(p.counters().unanswered, 1u);
}

TEST(AgentTxStatus, LosingTheRelayAnswersEveryWaitingFrameAndTurnsTheExtensionOff) {
  Bytes relay_out;
  FramePipeline p = accepted_pipeline(relay_out);
  Bytes kernel_out;
  for (std::uint64_t c = 1; c <= 3; ++c)
    p.on_kernel_message(kernel_frame(c), &relay_out, kernel_out);
  EXPECT_EQ(p.on_relay_lost(kernel_out), 3u);
  std::vector<Bytes> storage;
  const auto msgs = kernel_messages(kernel_out, storage);
  ASSERT_EQ(msgs.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(msgs[i].cookie, i + 1);
    EXPECT_EQ(msgs[i].flags, wire::kHwsimTxCtlReqTxStatus);
    EXPECT_EQ(Bytes(msgs[i].tx_info.begin(), msgs[i].tx_info.end()), kChain);
  }
  EXPECT_FALSE(p.medium_acks());
  kernel_out.clear();
  p.on_kernel_message(kernel_frame(4), &relay_out, kernel_out);
  ASSERT_EQ(kernel_messages(kernel_out, storage).size(), 1u) << "back to local ACKs";
}

TEST(AgentTxStatus, AFullRingAnswersItsOldestFrameLocally) {
  Bytes relay_out;
  FramePipeline p = accepted_pipeline(relay_out);
  Bytes kernel_out;
  for (std::uint64_t c = 0; c <= PendingStatuses::kCapacity; ++c)
    p.on_kernel_message(kernel_frame(c), &relay_out, kernel_out);
  std::vector<Bytes> storage;
  const auto msgs = kernel_messages(kernel_out, storage);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].cookie, 0u);
  EXPECT_EQ(msgs[0].flags, wire::kHwsimTxCtlReqTxStatus);
}

TEST(AgentTxStatus, FramesTheRelayCannotTakeAreNotAcked) {
  Bytes relay_out;
  FramePipeline p = accepted_pipeline(relay_out);
  Bytes kernel_out;
  p.on_kernel_message(kernel_frame(5), nullptr, kernel_out);
  std::vector<Bytes> storage;
  const auto msgs = kernel_messages(kernel_out, storage);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].flags, wire::kHwsimTxCtlReqTxStatus);
}

}  // namespace
}  // namespace vmesh::agent
