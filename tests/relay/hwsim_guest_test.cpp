// HwsimGuest and its helpers against chains built from plain buffers: TX messages spread
// over descriptors, RX buffers too small, the radios a guest has and the messages it gets.
#include "relay/vhost/hwsim_guest.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "base/wire/hwsim_frames.hpp"
#include "base/wire/message_builder.hpp"
#include "tests/relay/guest_messages.hpp"

namespace vmesh::vhost {
namespace {

using test::Bytes;
using test::guest_frame;
using test::kBroadcast;
using test::kGuestRadio;

const wire::MacAddress kSecondRadio{{0x42, 0, 0, 0, 1, 0}};
constexpr std::int8_t kPowerDbm = 12;

// A chain whose readable buffers are `bytes` cut at `cuts` (offsets, ascending).
DescriptorChain readable_chain(const Bytes& bytes, std::vector<std::size_t> cuts) {
  DescriptorChain chain;
  cuts.push_back(bytes.size());
  std::size_t from = 0;
  for (std::size_t to : cuts) {
    chain.readable.emplace_back(bytes.data() + from, to - from);
    from = to;
  }
  chain.readable_bytes = bytes.size();
  return chain;
}

// A chain of writable buffers of the given sizes, inside `storage`.
DescriptorChain writable_chain(std::vector<Bytes>& storage) {
  DescriptorChain chain;
  for (Bytes& part : storage) {
    chain.writable.emplace_back(part.data(), part.size());
    chain.writable_bytes += part.size();
  }
  return chain;
}

// The netlink messages of a buffer HwsimGuest filled, each behind a 0 power byte.
std::vector<Bytes> split_messages(const Bytes& out) {
  std::vector<Bytes> messages;
  std::span<const std::uint8_t> rest(out);
  while (const std::size_t n = first_message_bytes(rest)) {
    Bytes m{0};
    m.insert(m.end(), rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(n));
    messages.push_back(std::move(m));
    rest = rest.subspan(n);
  }
  EXPECT_TRUE(rest.empty()) << "bytes left that are no whole message";
  return messages;
}

Bytes bytes_of(std::span<const std::uint8_t> span) {
  return {span.begin(), span.end()};
}

TEST(CopyTxMessage, GathersAMessageSplitAcrossDescriptors) {
  const Bytes message = guest_frame(test::data_frame(kBroadcast, kGuestRadio, 1), 3);
  Bytes buffer = message;
  buffer.resize(message.size() + 40, 0xee);  // the skb's tail after the message
  const DescriptorChain chain = readable_chain(buffer, {2, 19, message.size() - 1});
  Bytes out;
  ASSERT_TRUE(copy_tx_message(chain, kPowerDbm, out));
  Bytes expected{static_cast<std::uint8_t>(kPowerDbm)};
  expected.insert(expected.end(), message.begin(), message.end());
  EXPECT_EQ(out, expected) << "power byte, then exactly nlmsg_len bytes";
}

TEST(CopyTxMessage, RefusesALengthBeyondTheChain) {
  Bytes message = guest_frame(test::data_frame(kBroadcast, kGuestRadio, 1), 3);
  const auto too_long = static_cast<std::uint32_t>(message.size() + 1);
  std::memcpy(message.data(), &too_long, sizeof too_long);
  Bytes out{1, 2, 3};
  EXPECT_FALSE(copy_tx_message(readable_chain(message, {10}), kPowerDbm, out));
  EXPECT_TRUE(out.empty()) << "cleared even when refused";
}

TEST(CopyTxMessage, RefusesLengthsBelowTheHeadersAndChainsShorterThanALength) {
  Bytes message = guest_frame(test::data_frame(kBroadcast, kGuestRadio, 1), 3);
  const std::uint32_t tiny = wire::kMinNlmsgLen - 1;
  std::memcpy(message.data(), &tiny, sizeof tiny);
  Bytes out;
  EXPECT_FALSE(copy_tx_message(readable_chain(message, {}), kPowerDbm, out));
  const Bytes three = {20, 0, 0};
  EXPECT_FALSE(copy_tx_message(readable_chain(three, {1}), kPowerDbm, out));
  EXPECT_FALSE(copy_tx_message(DescriptorChain{}, kPowerDbm, out));
}

TEST(WriteRxMessage, FillsBuffersInOrder) {
  const Bytes message = guest_frame(test::data_frame(kBroadcast, kGuestRadio, 1), 3);
  std::vector<Bytes> storage = {Bytes(7), Bytes(message.size()), Bytes(5)};
  DescriptorChain chain = writable_chain(storage);
  const auto written = write_rx_message(chain, message);
  ASSERT_TRUE(written);
  EXPECT_EQ(*written, message.size());
  Bytes joined = storage[0];
  joined.insert(joined.end(), storage[1].begin(), storage[1].end());
  joined.resize(message.size());
  EXPECT_EQ(joined, message);
}

TEST(WriteRxMessage, RefusesBuffersTooSmall) {
  const Bytes message = guest_frame(test::data_frame(kBroadcast, kGuestRadio, 1), 3);
  std::vector<Bytes> storage = {Bytes(8), Bytes(message.size() - 9)};
  DescriptorChain chain = writable_chain(storage);
  EXPECT_FALSE(write_rx_message(chain, message));
  EXPECT_EQ(storage[0], Bytes(8)) << "nothing written into a chain that cannot hold it";
}

TEST(FirstMessageBytes, MeasuresOneWholeAlignedMessage) {
  Bytes two = guest_frame(test::data_frame(kBroadcast, kGuestRadio, 1), 3);
  const std::size_t first = two.size();
  ASSERT_EQ(first % 4, 0u);
  const Bytes second = guest_frame(test::data_frame(kBroadcast, kGuestRadio, 2), 4);
  two.insert(two.end(), second.begin(), second.end());
  EXPECT_EQ(first_message_bytes(two), first);
  EXPECT_EQ(first_message_bytes(std::span(two).first(first - 1)), 0u) << "incomplete";
  EXPECT_EQ(first_message_bytes(std::span(two).first(wire::kNlmsgHeaderBytes - 1)), 0u);
  Bytes bad_length = second;
  const std::uint32_t three = 3;
  std::memcpy(bad_length.data(), &three, sizeof three);
  EXPECT_EQ(first_message_bytes(bad_length), 0u) << "shorter than its own header";
}

TEST(HwsimGuest, StartsWithTheFirstHwsimRadio) {
  const HwsimGuest guest;
  EXPECT_EQ(guest.radios(), std::vector<wire::MacAddress>{kGuestRadio});
}

TEST(HwsimGuest, BroadcastGetsALocalStatusAndNoMediumStatus) {
  HwsimGuest guest(kPowerDbm);
  const Bytes message = guest_frame(test::data_frame(kBroadcast, kGuestRadio, 1), 17);
  Bytes wire_out, guest_out;
  const GuestTx tx = guest.on_tx(readable_chain(message, {}), wire_out, guest_out);
  ASSERT_EQ(tx.kind, GuestTxKind::frame);
  EXPECT_FALSE(tx.medium_status);
  EXPECT_EQ(tx.wire_message[0], static_cast<std::uint8_t>(kPowerDbm));
  const std::vector<Bytes> out = split_messages(guest_out);
  ASSERT_EQ(out.size(), 1u);
  const wire::HwsimMessage status = wire::read_hwsim_message(out[0]);
  EXPECT_EQ(status.genl_cmd, static_cast<std::uint8_t>(wire::HwsimCmd::tx_info_frame));
  EXPECT_EQ(status.nlmsg_type, test::kGuestFamilyId);
  EXPECT_EQ(status.cookie, 17u);
  EXPECT_EQ(status.transmitter, kGuestRadio);
  EXPECT_EQ(status.flags, wire::kHwsimTxCtlReqTxStatus | wire::kHwsimTxStatAck);
  EXPECT_EQ(guest.counters().local_statuses, 1u);
}

TEST(HwsimGuest, UnicastLeavesTheStatusToTheMedium) {
  HwsimGuest guest;
  const wire::MacAddress peer{{0x02, 0, 0, 0, 2, 0}};
  const Bytes message = guest_frame(test::data_frame(peer, kGuestRadio, 1), 18);
  Bytes wire_out, guest_out;
  const GuestTx tx = guest.on_tx(readable_chain(message, {}), wire_out, guest_out);
  ASSERT_EQ(tx.kind, GuestTxKind::frame);
  EXPECT_TRUE(tx.medium_status);
  EXPECT_TRUE(guest_out.empty()) << "no local status, and no sibling radio to forward to";
  EXPECT_EQ(guest.counters().local_statuses, 0u);
}

TEST(HwsimGuest, LearnsASecondRadioAndForwardsToItsSibling) {
  HwsimGuest guest;
  const Bytes frame = test::data_frame(kBroadcast, kSecondRadio, 1);
  const Bytes message = guest_frame(frame, 19, kSecondRadio);
  Bytes wire_out, guest_out;
  ASSERT_EQ(guest.on_tx(readable_chain(message, {}), wire_out, guest_out).kind, GuestTxKind::frame);
  EXPECT_EQ(guest.radios(), (std::vector<wire::MacAddress>{kGuestRadio, kSecondRadio}));
  const std::vector<Bytes> frames =
      test::with_command(split_messages(guest_out), wire::HwsimCmd::frame);
  ASSERT_EQ(frames.size(), 1u) << "one copy for the first radio, none for the sender";
  const wire::HwsimMessage rx = wire::read_hwsim_message(frames[0]);
  EXPECT_EQ(rx.receiver, kGuestRadio);
  EXPECT_EQ(bytes_of(rx.frame), frame);
  EXPECT_EQ(rx.signal_dbm, static_cast<std::uint32_t>(wire::kLocalSignalDbm));
  EXPECT_EQ(guest.counters().local_forwards, 1u);

  // Known now: a second frame adds no radio.
  guest_out.clear();
  guest.on_tx(readable_chain(message, {}), wire_out, guest_out);
  EXPECT_EQ(guest.radios().size(), 2u);
}

TEST(HwsimGuest, ForgetsLearnedRadiosButKeepsCountersAfterAReset) {
  HwsimGuest guest;
  const Bytes message =
      guest_frame(test::data_frame(kBroadcast, kSecondRadio, 1), 19, kSecondRadio);
  Bytes wire_out, guest_out;
  guest.on_tx(readable_chain(message, {}), wire_out, guest_out);
  ASSERT_EQ(guest.radios().size(), 2u);
  guest.forget_radios();
  EXPECT_EQ(guest.radios(), std::vector<wire::MacAddress>{kGuestRadio}) << "the first radio only";
  EXPECT_EQ(guest.counters().local_forwards, 1u) << "counters survive the reset";
}

TEST(HwsimGuest, DeliveryBecomesOneFramePerRadioWithTheGivenSignal) {
  HwsimGuest guest;
  Bytes wire_out, guest_out;
  guest.on_tx(readable_chain(
                  guest_frame(test::data_frame(kBroadcast, kSecondRadio, 1), 1, kSecondRadio), {}),
              wire_out, guest_out);
  guest_out.clear();

  const Bytes frame = test::data_frame(kBroadcast, test::interface_address(9), 5);
  Bytes delivery;
  wire::MessageBuilder b(delivery, 10, wire::HwsimCmd::frame, {.type = 0x77});
  b.put_mac(wire::HwsimAttr::addr_transmitter, wire::MacAddress{{0x42, 0, 0, 0, 9, 0}});
  b.put(wire::HwsimAttr::frame, frame);
  b.put_u32(wire::HwsimAttr::freq, 2437);
  b.finish();
  guest.on_delivery(delivery, -57, guest_out);

  const std::vector<Bytes> out = split_messages(guest_out);
  ASSERT_EQ(out.size(), 2u);
  std::vector<wire::MacAddress> receivers;
  for (const Bytes& m : out) {
    const wire::HwsimMessage rx = wire::read_hwsim_message(m);
    EXPECT_EQ(rx.genl_cmd, static_cast<std::uint8_t>(wire::HwsimCmd::frame));
    EXPECT_EQ(rx.nlmsg_type, test::kGuestFamilyId) << "the guest's family id, not the sender's";
    EXPECT_EQ(bytes_of(rx.frame), frame);
    EXPECT_EQ(rx.signal_dbm, static_cast<std::uint32_t>(-57));
    EXPECT_EQ(rx.freq_mhz, 2437u);
    EXPECT_FALSE(rx.transmitter) << "an RX frame names its receiver only";
    receivers.push_back(*rx.receiver);
  }
  EXPECT_EQ(receivers, (std::vector<wire::MacAddress>{kGuestRadio, kSecondRadio}));
  EXPECT_EQ(guest.counters().rx_frames, 2u);
}

TEST(HwsimGuest, RestoredRadiosAndFamilyIdServeDeliveriesAtOnce) {
  HwsimGuest guest;
  guest.restore(test::kGuestFamilyId, std::vector<wire::MacAddress>{kGuestRadio, kSecondRadio});
  EXPECT_EQ(guest.family_id(), test::kGuestFamilyId);
  EXPECT_EQ(guest.radios(), (std::vector<wire::MacAddress>{kGuestRadio, kSecondRadio}));

  Bytes delivery;
  wire::MessageBuilder b(delivery, 10, wire::HwsimCmd::frame, {.type = 0x77});
  b.put_mac(wire::HwsimAttr::addr_transmitter, wire::MacAddress{{0x42, 0, 0, 0, 9, 0}});
  b.put(wire::HwsimAttr::frame, test::data_frame(kBroadcast, test::interface_address(9), 5));
  b.finish();
  Bytes guest_out;
  guest.on_delivery(delivery, -50, guest_out);
  const std::vector<Bytes> out = split_messages(guest_out);
  ASSERT_EQ(out.size(), 2u) << "one frame per restored radio, before the guest sent anything";
  for (const Bytes& m : out)
    EXPECT_EQ(wire::read_hwsim_message(m).nlmsg_type, test::kGuestFamilyId);

  guest.restore(7, {});
  EXPECT_EQ(guest.radios().size(), 2u) << "an empty list keeps the radios";
  guest.restore(7, std::vector<wire::MacAddress>(kMaxGuestRadios + 5, kSecondRadio));
  EXPECT_EQ(guest.radios().size(), kMaxGuestRadios);
}

TEST(HwsimGuest, CountsMalformedAndIgnoredMessages) {
  HwsimGuest guest;
  Bytes wire_out, guest_out;
  const Bytes garbage(64, 0xee);
  EXPECT_EQ(guest.on_tx(readable_chain(garbage, {}), wire_out, guest_out).kind,
            GuestTxKind::malformed);
  Bytes not_a_frame;
  wire::MessageBuilder b(not_a_frame, 0, wire::HwsimCmd::get_radio, {.type = 0x23});
  b.finish();
  const Bytes netlink(not_a_frame.begin() + 1, not_a_frame.end());
  EXPECT_EQ(guest.on_tx(readable_chain(netlink, {}), wire_out, guest_out).kind,
            GuestTxKind::ignored);
  EXPECT_TRUE(guest_out.empty());
  EXPECT_EQ(guest.counters().tx_malformed, 1u);
  EXPECT_EQ(guest.counters().tx_ignored, 1u);
}

}  // namespace
}  // namespace vmesh::vhost
