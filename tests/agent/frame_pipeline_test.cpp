// The agent's contract with the relay and with its kernel, on hand-laid bytes.
#include "relay/agent/frame_pipeline.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_builder.hpp"
#include "relay/agent/netlink_protocol.hpp"

namespace vmesh::agent {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::uint16_t kFamily = 0x22;

wire::MacAddress mac(const char* text) {
  return *wire::MacAddress::parse(text);
}

// The kernel message as a wire message (power byte 0), for wire::read_hwsim_message.
Bytes with_power_byte(const Bytes& nl) {
  Bytes out(nl.size() + 1, 0);
  std::copy(nl.begin(), nl.end(), out.begin() + 1);
  return out;
}

// A 24-byte 802.11 header (data frame) used as the payload everywhere.
const Bytes kFrame = {0x08, 0x02, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00,
                      0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x10, 0x00};

// HWSIM_CMD_FRAME as mac80211_hwsim_tx_frame_nl() lays it out for radio 02:00:00:00:01:00.
Bytes kernel_frame(std::uint8_t mac_last = 0x00) {
  Bytes m = {
      120, 0, 0, 0, kFamily, 0, 0, 0, 0,    0,        0, 0, 0, 0, 0, 0,  // nlmsghdr
      2,   1, 0, 0,                                                      // HWSIM_CMD_FRAME, v1
      10,  0, 2, 0, 0x02,    0, 0, 0, 0x01, mac_last, 0, 0,              // ADDR_TRANSMITTER
      28,  0, 3, 0,                                                      // FRAME (24 bytes)
  };
  m.insert(m.end(), kFrame.begin(), kFrame.end());
  const Bytes rest = {
      8, 0, 4, 0, 1, 0, 0, 0,                                       // FLAGS = REQ_TX_STATUS
      8, 0, 19, 0, 0x6c, 0x09, 0, 0,                                // FREQ = 2412
      12, 0, 7, 0, 3, 3, 2, 2, 0xff, 0, 0xff, 0,                    // TX_INFO {3,3} {2,2} {-1,0}
                                                                    // {-1,0}
      16, 0, 21, 0, 3, 0, 0, 2, 0, 0, 0xff, 0, 0, 0xff, 0, 0,       // TX_INFO_FLAGS
      4, 0, 20, 0,                                                  // PAD
      12, 0, 8, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  // COOKIE
  };
  m.insert(m.end(), rest.begin(), rest.end());
  return m;
}

std::vector<Bytes> split_messages(const Bytes& datagram) {
  std::vector<Bytes> out;
  for_each_netlink_message(
      datagram, [&](const NetlinkView& v) { out.emplace_back(v.bytes.begin(), v.bytes.end()); });
  return out;
}

FramePipeline two_radio_pipeline() {
  return FramePipeline(kFamily,
                       {{mac("02:00:00:00:01:00"), mac("02:00:00:00:01:00")},
                        {mac("02:00:00:00:01:01"), mac("02:00:00:00:01:01")}},
                       10);
}

TEST(AgentContract, KernelFrameGoesToTheRelayAsPowerThenTheKernelMessage) {
  FramePipeline pipeline(kFamily, {{mac("02:00:00:00:01:00"), mac("02:00:00:00:01:00")}}, 10);
  const Bytes nl = kernel_frame();
  ASSERT_EQ(nl.size(), 120u);
  Bytes relay_out;
  Bytes kernel_out;
  const KernelEvent event = pipeline.on_kernel_message(nl, &relay_out, kernel_out);
  EXPECT_EQ(event.kind, KernelEventKind::frame);
  Bytes expected = {10};
  expected.insert(expected.end(), nl.begin(), nl.end());
  EXPECT_EQ(relay_out, expected);
  EXPECT_EQ(pipeline.counters().relay_out_frames, 1u);

  // A second frame is appended to the same buffer: one write carries both.
  pipeline.on_kernel_message(nl, &relay_out, kernel_out);
  EXPECT_EQ(relay_out.size(), 2 * expected.size());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(),
                         relay_out.begin() + static_cast<std::ptrdiff_t>(expected.size())));
}

TEST(AgentContract, TxPowerOptionSetsThePowerByte) {
  FramePipeline pipeline(kFamily, {{mac("02:00:00:00:01:00"), mac("02:00:00:00:01:00")}}, -3);
  Bytes relay_out;
  Bytes kernel_out;
  pipeline.on_kernel_message(kernel_frame(), &relay_out, kernel_out);
  ASSERT_FALSE(relay_out.empty());
  EXPECT_EQ(static_cast<std::int8_t>(relay_out[0]), -3);
}

TEST(AgentContract, TxInfoReplyLayout) {
  FramePipeline pipeline(kFamily, {{mac("02:00:00:00:01:00"), mac("02:00:00:00:01:00")}}, 10);
  Bytes relay_out;
  Bytes kernel_out;
  pipeline.on_kernel_message(kernel_frame(), &relay_out, kernel_out);
  const Bytes expected = {
      88, 0, 0, 0, kFamily, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,        // NLM_F_REQUEST
      3, 1, 0, 0,                                                   // HWSIM_CMD_TX_INFO_FRAME
      10, 0, 2, 0, 0x02, 0, 0, 0, 0x01, 0x00, 0, 0,                 // ADDR_TRANSMITTER
      8, 0, 4, 0, 5, 0, 0, 0,                                       // FLAGS | HWSIM_TX_STAT_ACK
      8, 0, 6, 0, 0xf6, 0xff, 0xff, 0xff,                           // SIGNAL -10
      12, 0, 7, 0, 3, 1, 0xff, 0, 0xff, 0, 0xff, 0,                 // TX_INFO: acked at first
                                                                    // try
      12, 0, 8, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  // COOKIE
      16, 0, 21, 0, 3, 0, 0, 2, 0, 0, 0xff, 0, 0, 0xff, 0, 0,       // TX_INFO_FLAGS as sent
  };
  EXPECT_EQ(kernel_out, expected);
  EXPECT_EQ(pipeline.counters().tx_status, 1u);
}

TEST(AgentContract, FrameIsAcknowledgedEvenWithoutRelay) {
  FramePipeline pipeline(kFamily, {{mac("02:00:00:00:01:00"), mac("02:00:00:00:01:00")}}, 10);
  Bytes kernel_out;
  const KernelEvent event = pipeline.on_kernel_message(kernel_frame(), nullptr, kernel_out);
  EXPECT_EQ(event.kind, KernelEventKind::frame);
  const auto msgs = split_messages(kernel_out);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0][16], 3);  // TX_INFO_FRAME
  EXPECT_EQ(pipeline.counters().relay_out_frames, 0u);
}

TEST(AgentContract, RelayFrameBecomesOneRxMessagePerLocalRadio) {
  FramePipeline pipeline = two_radio_pipeline();
  Bytes wire_msg;
  {
    wire::MessageBuilder b(wire_msg, -42, wire::HwsimCmd::frame, {.type = 0x1d});
    b.put_mac(wire::HwsimAttr::addr_transmitter, mac("02:00:00:00:02:00"));
    b.put(wire::HwsimAttr::frame, kFrame);
    b.put_u32(wire::HwsimAttr::flags, 1);
    b.put_u32(wire::HwsimAttr::freq, 2437);
    const Bytes tx_info = {2, 1, 0xff, 0, 0xff, 0, 0xff, 0};
    b.put(wire::HwsimAttr::tx_info, tx_info);
    b.finish();
  }
  Bytes kernel_out;
  pipeline.on_relay_message(wire_msg, nullptr, kernel_out);
  const auto msgs = split_messages(kernel_out);
  ASSERT_EQ(msgs.size(), 2u);
  Bytes expected = {
      84, 0, 0, 0, kFamily, 0, 1, 0, 0,    0,    0, 0, 0, 0, 0, 0, 2, 1, 0, 0,  // HWSIM_CMD_FRAME
      10, 0, 1, 0, 0x02,    0, 0, 0, 0x01, 0x00, 0, 0,  // ADDR_RECEIVER radio 0
      28, 0, 3, 0,                                      // FRAME
  };
  expected.insert(expected.end(), kFrame.begin(), kFrame.end());
  const Bytes tail = {
      8, 0, 5,  0, 2,    0,    0,    0,     // RX_RATE from TX_INFO[0].idx
      8, 0, 6,  0, 0xd6, 0xff, 0xff, 0xff,  // SIGNAL = power byte -42
      8, 0, 19, 0, 0x85, 0x09, 0,    0,     // FREQ 2437
  };
  expected.insert(expected.end(), tail.begin(), tail.end());
  EXPECT_EQ(msgs[0], expected);
  expected[29] = 0x01;  // radio 1's address, nothing else differs
  EXPECT_EQ(msgs[1], expected);
  EXPECT_EQ(pipeline.counters().rx_delivered, 2u);
}

TEST(AgentContract, RelayFrameWithoutFreqUses2412AndAnOutOfBandRateBecomesZero) {
  FramePipeline pipeline(kFamily, {{mac("02:00:00:00:01:00"), mac("02:00:00:00:01:00")}}, 10);
  Bytes wire_msg;
  {
    wire::MessageBuilder b(wire_msg, -50, wire::HwsimCmd::frame, {});
    b.put_mac(wire::HwsimAttr::addr_transmitter, mac("02:00:00:00:02:00"));
    b.put(wire::HwsimAttr::frame, kFrame);
    const Bytes tx_info = {20, 1, 0xff, 0, 0xff, 0, 0xff, 0};  // beyond the 12 legacy rates
    b.put(wire::HwsimAttr::tx_info, tx_info);
    b.finish();
  }
  Bytes kernel_out;
  pipeline.on_relay_message(wire_msg, nullptr, kernel_out);
  const Bytes as_wire = with_power_byte(kernel_out);
  const wire::HwsimMessage rx = wire::read_hwsim_message(as_wire);
  EXPECT_EQ(rx.genl_cmd, 2);
  EXPECT_EQ(rx.freq_mhz, 2412u);
  EXPECT_EQ(rx.rx_rate, 0u);
  EXPECT_EQ(static_cast<std::int32_t>(*rx.signal_dbm), -50);
}

TEST(AgentContract, OwnFramesEchoedByTheRelayAreIgnored) {
  FramePipeline pipeline = two_radio_pipeline();
  Bytes wire_msg = {10};
  const Bytes nl = kernel_frame();
  wire_msg.insert(wire_msg.end(), nl.begin(), nl.end());
  Bytes kernel_out;
  pipeline.on_relay_message(wire_msg, nullptr, kernel_out);
  EXPECT_TRUE(kernel_out.empty());
  EXPECT_EQ(pipeline.counters().own_echoes, 1u);
}

TEST(AgentContract, LocalRadiosHearEachOtherDirectly) {
  FramePipeline pipeline = two_radio_pipeline();
  Bytes relay_out;
  Bytes kernel_out;
  pipeline.on_kernel_message(kernel_frame(0x00), &relay_out, kernel_out);
  const auto msgs = split_messages(kernel_out);
  ASSERT_EQ(msgs.size(), 2u);  // TX status for radio 0, RX for radio 1
  EXPECT_EQ(msgs[0][16], 3);
  const Bytes as_wire = with_power_byte(msgs[1]);
  const wire::HwsimMessage rx = wire::read_hwsim_message(as_wire);
  EXPECT_EQ(rx.genl_cmd, 2);
  ASSERT_TRUE(rx.receiver.has_value());
  EXPECT_EQ(*rx.receiver, mac("02:00:00:00:01:01"));
  EXPECT_TRUE(std::equal(rx.frame.begin(), rx.frame.end(), kFrame.begin(), kFrame.end()));
  EXPECT_EQ(rx.freq_mhz, 2412u);
  EXPECT_EQ(rx.rx_rate, 3u);
  EXPECT_EQ(static_cast<std::int32_t>(*rx.signal_dbm), -10);
  // The relay still gets the frame once, for the other VMs.
  EXPECT_EQ(relay_out.size(), 121u);

  // And the other way round.
  kernel_out.clear();
  pipeline.on_kernel_message(kernel_frame(0x01), &relay_out, kernel_out);
  const auto back = split_messages(kernel_out);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1][28], 0x01);
  EXPECT_EQ(back[1][29], 0x00);  // receiver 02:00:00:00:01:00
  EXPECT_EQ(pipeline.counters().local_forwards, 2u);
}

TEST(AgentContract, LearnsTheFormWithBit0x40WhenTheKernelUsesIt) {
  FramePipeline pipeline = two_radio_pipeline();
  Bytes nl = kernel_frame(0x01);
  nl[24] = 0x42;  // transmitter 42:00:00:00:01:01
  Bytes relay_out;
  Bytes kernel_out;
  const KernelEvent event = pipeline.on_kernel_message(nl, &relay_out, kernel_out);
  ASSERT_TRUE(event.learned_radio.has_value());
  EXPECT_EQ(*event.learned_radio, 1u);
  EXPECT_EQ(pipeline.radios()[1].hwsim_addr, mac("42:00:00:00:01:01"));
  // Relay frames for this VM now address radio 1 by its learned address.
  Bytes wire_msg;
  {
    wire::MessageBuilder b(wire_msg, -60, wire::HwsimCmd::frame, {});
    b.put_mac(wire::HwsimAttr::addr_transmitter, mac("02:00:00:00:02:00"));
    b.put(wire::HwsimAttr::frame, kFrame);
    b.finish();
  }
  kernel_out.clear();
  pipeline.on_relay_message(wire_msg, nullptr, kernel_out);
  const auto msgs = split_messages(kernel_out);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[1][24], 0x42);
}

TEST(AgentContract, KernelAcksAndErrorsAreCountedNotForwarded) {
  FramePipeline pipeline = two_radio_pipeline();
  Bytes err(36, 0);
  err[0] = 36;
  err[4] = 2;
  err[16] = 0xea;  // -22 EINVAL
  err[17] = err[18] = err[19] = 0xff;
  Bytes relay_out;
  Bytes kernel_out;
  const KernelEvent event = pipeline.on_kernel_message(err, &relay_out, kernel_out);
  EXPECT_EQ(event.kind, KernelEventKind::error);
  EXPECT_EQ(event.error, -22);
  EXPECT_TRUE(relay_out.empty());
  EXPECT_TRUE(kernel_out.empty());
  EXPECT_EQ(pipeline.counters().kernel_errors, 1u);

  Bytes other = kernel_frame();
  other[16] = 4;  // not a FRAME
  EXPECT_EQ(pipeline.on_kernel_message(other, &relay_out, kernel_out).kind,
            KernelEventKind::ignored);
  EXPECT_TRUE(relay_out.empty());
}

TEST(AgentContract, MalformedKernelFrameIsDropped) {
  FramePipeline pipeline = two_radio_pipeline();
  Bytes nl = kernel_frame();
  nl[32] = 200;  // FRAME attribute length runs past nlmsg_len
  Bytes relay_out;
  Bytes kernel_out;
  EXPECT_EQ(pipeline.on_kernel_message(nl, &relay_out, kernel_out).kind,
            KernelEventKind::malformed);
  EXPECT_TRUE(relay_out.empty());
  EXPECT_TRUE(kernel_out.empty());
}

}  // namespace
}  // namespace vmesh::agent
