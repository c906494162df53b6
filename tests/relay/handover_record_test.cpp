// The handover records: every kind round trips with its fds in wire order, and every
// malformed or cut record is refused with its reason (never a crash, never a record that
// names fds it did not get).
#include "relay/vhost/handover_record.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace vmesh::vhost {
namespace {

using Bytes = std::vector<std::uint8_t>;

HandoverConnection sample_connection() {
  HandoverConnection c;
  c.node = "n2";
  c.socket_fd = 10;
  c.features = (std::uint64_t{1} << 32) | (std::uint64_t{1} << 29);
  c.protocol_features = 0x2009;
  c.family_id = 0x23;
  c.radios = {wire::MacAddress{{0x42, 0, 0, 0, 0, 0}}, wire::MacAddress{{0x42, 0, 0, 0, 1, 0}}};
  c.regions = {{0x40000000, 1 << 20, 0x7f5500000000, 4096}, {0x100000000, 4096, 0x7f6600000000, 0}};
  c.region_fds = {11, 12};
  c.queues[kHwsimQueueTx] = {
      64, 0x7f5500000000, 0x7f5500000400, 0x7f5500001000, 7, true, true, 13, 14, 15};
  c.queues[kHwsimQueueRx] = {
      64, 0x7f5500004000, 0x7f5500004400, 0x7f5500005000, 65535, true, false, 16, -1, 17};
  c.input = {5, 0, 0, 0, 1, 0};
  c.input_fds = {18};
  return c;
}

HandoverDecode round_trip(const HandoverRecord& record) {
  const EncodedHandover encoded = encode_handover(record);
  return decode_handover(encoded.bytes, encoded.fds);
}

void set_u32(Bytes& bytes, std::size_t at, std::uint32_t value) {
  std::memcpy(bytes.data() + at, &value, 4);
}

TEST(HandoverRecord, EveryKindRoundTrips) {
  const std::vector<HandoverRecord> records = {HandoverHello{1234, 3, 2}, HandoverListener{"n1", 9},
                                               sample_connection(), HandoverEnd{5}, HandoverAck{2}};
  for (const HandoverRecord& record : records) {
    const HandoverDecode d = round_trip(record);
    ASSERT_TRUE(d.ok()) << describe(d.error) << " detail " << d.detail << " kind "
                        << record.index();
    EXPECT_EQ(d.record, record) << "kind " << record.index();
  }
}

TEST(HandoverRecord, FdsTravelInWireOrder) {
  const EncodedHandover encoded = encode_handover(sample_connection());
  // socket, regions, TX kick, call and err, RX kick and err, the input's.
  EXPECT_EQ(encoded.fds, (std::vector<int>{10, 11, 12, 13, 14, 15, 16, 17, 18}));
  // The taker's fd numbers differ from the giver's: the record takes them in that order.
  const std::vector<int> received = {30, 31, 32, 33, 34, 35, 36, 37, 38};
  const HandoverDecode d = decode_handover(encoded.bytes, received);
  ASSERT_TRUE(d.ok());
  const auto& c = std::get<HandoverConnection>(d.record);
  EXPECT_EQ(c.socket_fd, 30);
  EXPECT_EQ(c.region_fds, (std::vector<int>{31, 32}));
  EXPECT_EQ(c.queues[kHwsimQueueTx].kick_fd, 33);
  EXPECT_EQ(c.queues[kHwsimQueueTx].call_fd, 34);
  EXPECT_EQ(c.queues[kHwsimQueueTx].err_fd, 35);
  EXPECT_EQ(c.queues[kHwsimQueueRx].kick_fd, 36);
  EXPECT_EQ(c.queues[kHwsimQueueRx].call_fd, -1);
  EXPECT_EQ(c.queues[kHwsimQueueRx].err_fd, 37);
  EXPECT_EQ(c.input_fds, (std::vector<int>{38}));
}

TEST(HandoverRecord, QueueStateSurvives) {
  const HandoverDecode d = round_trip(sample_connection());
  ASSERT_TRUE(d.ok());
  const auto& c = std::get<HandoverConnection>(d.record);
  EXPECT_EQ(c.queues[kHwsimQueueTx].next_avail, 7);
  EXPECT_EQ(c.queues[kHwsimQueueRx].next_avail, 65535) << "the index wraps at 2^16";
  EXPECT_TRUE(c.queues[kHwsimQueueRx].started);
  EXPECT_FALSE(c.queues[kHwsimQueueRx].enabled);
}

TEST(HandoverRecord, WrongFdCountIsRefused) {
  const EncodedHandover encoded = encode_handover(sample_connection());
  std::vector<int> fewer = encoded.fds;
  fewer.pop_back();
  EXPECT_EQ(decode_handover(encoded.bytes, fewer).error, HandoverError::fd_count_mismatch);
  std::vector<int> more = encoded.fds;
  more.push_back(99);
  EXPECT_EQ(decode_handover(encoded.bytes, more).error, HandoverError::fd_count_mismatch);
  const EncodedHandover hello = encode_handover(HandoverHello{1, 0, 0});
  EXPECT_EQ(decode_handover(hello.bytes, std::vector<int>{5}).error,
            HandoverError::fd_count_mismatch)
      << "a hello carries no fd";
}

TEST(HandoverRecord, EveryCutOfARecordIsRefused) {
  const EncodedHandover encoded = encode_handover(sample_connection());
  for (std::size_t n = 0; n < encoded.bytes.size(); ++n) {
    const Bytes cut(encoded.bytes.begin(), encoded.bytes.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(decode_handover(cut, encoded.fds).ok()) << n << " bytes";
  }
  // The same cuts with the header's size fixed up: the body itself ends inside a field.
  for (std::size_t n = kHandoverHeaderSize; n < encoded.bytes.size(); ++n) {
    Bytes cut(encoded.bytes.begin(), encoded.bytes.begin() + static_cast<std::ptrdiff_t>(n));
    set_u32(cut, 8, static_cast<std::uint32_t>(n - kHandoverHeaderSize));
    const HandoverDecode d = decode_handover(cut, encoded.fds);
    EXPECT_FALSE(d.ok()) << n << " bytes";
  }
}

TEST(HandoverRecord, HeaderFaultsAreNamed) {
  const Bytes good = encode_handover(HandoverEnd{1}).bytes;
  EXPECT_EQ(decode_handover(Bytes(good.begin(), good.begin() + 11), {}).error,
            HandoverError::short_header);
  Bytes magic = good;
  magic[0] ^= 0xff;
  EXPECT_EQ(decode_handover(magic, {}).error, HandoverError::bad_magic);
  Bytes version = good;
  version[4] = 2;
  const HandoverDecode v = decode_handover(version, {});
  EXPECT_EQ(v.error, HandoverError::bad_version);
  EXPECT_EQ(v.detail, 2u);
  Bytes kind = good;
  kind[6] = 9;
  EXPECT_EQ(decode_handover(kind, {}).error, HandoverError::unknown_kind);
  Bytes size = good;
  size[8] = 3;
  EXPECT_EQ(decode_handover(size, {}).error, HandoverError::size_mismatch);
  Bytes longer = good;
  longer.push_back(0);
  set_u32(longer, 8, 5);
  EXPECT_EQ(decode_handover(longer, {}).error, HandoverError::trailing_bytes);
  EXPECT_EQ(decode_handover(Bytes(32, 0), {}).error, HandoverError::bad_magic) << "zeros";
}

TEST(HandoverRecord, BoundsAreEnforced) {
  HandoverConnection radios = sample_connection();
  radios.radios.assign(kMaxHandoverRadios + 1, wire::MacAddress{});
  EXPECT_EQ(round_trip(radios).error, HandoverError::too_many_radios);

  HandoverConnection regions = sample_connection();
  regions.regions.assign(kMaxMemoryRegions + 1, MemoryRegion{});
  regions.region_fds.assign(kMaxMemoryRegions + 1, 3);
  EXPECT_EQ(round_trip(regions).error, HandoverError::too_many_regions);

  HandoverConnection input = sample_connection();
  input.input.assign(kMaxHandoverInputBytes + 1, 0);
  EXPECT_EQ(round_trip(input).error, HandoverError::input_too_large);

  HandoverConnection input_fds = sample_connection();
  input_fds.input_fds.assign(kMaxMemoryRegions + 1, 3);
  EXPECT_EQ(round_trip(input_fds).error, HandoverError::too_many_fds);

  EXPECT_EQ(round_trip(HandoverListener{"", 3}).error, HandoverError::bad_name);
  EXPECT_EQ(round_trip(HandoverListener{std::string(256, 'n'), 3}).error, HandoverError::bad_name);
  EXPECT_TRUE(round_trip(HandoverListener{std::string(255, 'n'), 3}).ok());
}

// Where sample_connection()'s queue count lies: after the header, name, features, family
// id, radios and regions.
constexpr std::size_t kQueueCountAt =
    kHandoverHeaderSize + 2 + 2 + 8 + 8 + 2 + 4 + 2 * 6 + 4 + 2 * 32;

TEST(HandoverRecord, OtherQueueCountsAreRefused) {
  EncodedHandover encoded = encode_handover(sample_connection());
  std::uint32_t count = 0;
  std::memcpy(&count, encoded.bytes.data() + kQueueCountAt, 4);
  ASSERT_EQ(count, kHwsimQueueCount);
  set_u32(encoded.bytes, kQueueCountAt, 3);
  const HandoverDecode d = decode_handover(encoded.bytes, encoded.fds);
  EXPECT_EQ(d.error, HandoverError::bad_queue_count);
  EXPECT_EQ(d.detail, 3u);
}

TEST(HandoverRecord, UnknownQueueFlagsAreRefused) {
  EncodedHandover encoded = encode_handover(sample_connection());
  // The TX queue's flags: after the queue count and the queue's size, addresses and index.
  const std::size_t at = kQueueCountAt + 4 + 4 + 3 * 8 + 2;
  std::uint16_t flags = 0;
  std::memcpy(&flags, encoded.bytes.data() + at, 2);
  ASSERT_EQ(flags, 0x1f) << "started, enabled, kick, call, err";
  flags |= 0x100;
  std::memcpy(encoded.bytes.data() + at, &flags, 2);
  const HandoverDecode d = decode_handover(encoded.bytes, encoded.fds);
  EXPECT_EQ(d.error, HandoverError::bad_queue_flags);
  EXPECT_EQ(d.detail, 0x11fu);
}

TEST(HandoverRecord, EveryErrorHasADescription) {
  for (int e = 0; e <= static_cast<int>(HandoverError::fd_count_mismatch); ++e)
    EXPECT_NE(describe(static_cast<HandoverError>(e)), "unknown handover error") << e;
}

}  // namespace
}  // namespace vmesh::vhost
