// The vhost-user codec: round trips of every request a virtio-pci front-end sends, the
// replies' exact bytes, and every malformed message refused with its reason.
#include "relay/vhost/vhost_user_message.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace vmesh::vhost {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A raw message: header fields as given, then the payload bytes.
Bytes raw(std::uint32_t request, std::uint32_t flags, std::uint32_t size, Bytes payload = {}) {
  Bytes out(12);
  std::memcpy(out.data(), &request, 4);
  std::memcpy(out.data() + 4, &flags, 4);
  std::memcpy(out.data() + 8, &size, 4);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Bytes u64_bytes(std::uint64_t v) {
  Bytes out(8);
  std::memcpy(out.data(), &v, 8);
  return out;
}

MessageResult decode(const Bytes& bytes, const std::vector<int>& fds = {}) {
  return decode_message(bytes, fds);
}

MessageResult round_trip(const Message& m, const std::vector<int>& fds = {}) {
  return decode(encode_request(m), fds);
}

template <typename T>
T payload_of(const MessageResult& r) {
  EXPECT_TRUE(r.ok()) << describe(r.error) << " detail " << r.detail;
  const T* p = std::get_if<T>(&r.message.payload);
  EXPECT_NE(p, nullptr);
  return p != nullptr ? *p : T{};
}

TEST(VhostUserMessage, RequestsWithoutPayloadRoundTrip) {
  for (const Request req :
       {Request::get_features, Request::get_protocol_features, Request::set_owner,
        Request::reset_owner, Request::get_queue_num, Request::reset_device}) {
    const MessageResult r = round_trip({req, kFlagVersion1, {}});
    ASSERT_TRUE(r.ok()) << static_cast<int>(req);
    EXPECT_EQ(r.message.request, req);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(r.message.payload));
  }
}

TEST(VhostUserMessage, FeaturesRoundTrip) {
  const std::uint64_t features = (std::uint64_t{1} << 32) | (std::uint64_t{1} << 30);
  EXPECT_EQ(payload_of<std::uint64_t>(round_trip({Request::set_features, 1, features})), features);
  EXPECT_EQ(payload_of<std::uint64_t>(round_trip({Request::set_protocol_features, 1, 0x9ull})),
            0x9u);
}

TEST(VhostUserMessage, VringStatesRoundTrip) {
  for (const Request req : {Request::set_vring_num, Request::set_vring_base,
                            Request::get_vring_base, Request::set_vring_enable}) {
    const VringState state{1, 65535};
    EXPECT_EQ(payload_of<VringState>(round_trip({req, 1, state})), state);
  }
}

TEST(VhostUserMessage, VringAddressRoundTrips) {
  const VringAddress addr{1, 0, 0x7f00'0000'1000, 0x7f00'0000'3000, 0x7f00'0000'2000, 0xabc};
  const MessageResult r = round_trip({Request::set_vring_addr, 1, addr});
  EXPECT_EQ(payload_of<VringAddress>(r), addr);
  // Field order on the wire: index, flags, desc, used, avail, log.
  const Bytes bytes = encode_request({Request::set_vring_addr, 1, addr});
  ASSERT_EQ(bytes.size(), 12u + 40u);
  std::uint64_t used = 0;
  std::memcpy(&used, bytes.data() + 12 + 16, 8);
  EXPECT_EQ(used, 0x7f00'0000'3000u);
}

TEST(VhostUserMessage, VringFilesRoundTripWithAndWithoutFd) {
  for (const Request req :
       {Request::set_vring_kick, Request::set_vring_call, Request::set_vring_err}) {
    EXPECT_EQ(payload_of<VringFile>(round_trip({req, 1, VringFile{1, 42}}, {42})),
              (VringFile{1, 42}));
    EXPECT_EQ(payload_of<VringFile>(round_trip({req, 1, VringFile{0, -1}})), (VringFile{0, -1}));
  }
  // The no-fd flag is bit 8 of the u64.
  const MessageResult r = decode(raw(12, 1, 8, u64_bytes(0x101)), {});
  EXPECT_EQ(payload_of<VringFile>(r), (VringFile{1, -1}));
}

TEST(VhostUserMessage, MemoryTableRoundTripsWithItsFds) {
  MemoryTable table;
  table.regions = {{0x0, 0xa0000, 0x7f00'0000'0000, 0},
                   {0xc0000, 0xff40000, 0x7f00'000c'0000, 0xc0000}};
  table.fds = {7, 8};
  const MessageResult r = round_trip({Request::set_mem_table, 1, table}, {7, 8});
  EXPECT_EQ(payload_of<MemoryTable>(r), table);
  EXPECT_EQ(encode_request({Request::set_mem_table, 1, table}).size(), 12u + 8u + 2u * 32u);
}

TEST(VhostUserMessage, EightRegionsAreAccepted) {
  MemoryTable table;
  for (std::uint64_t i = 0; i < 8; ++i) {
    table.regions.push_back({i << 20, 1 << 20, (i << 20) + 0x7000'0000, 0});
    table.fds.push_back(static_cast<int>(10 + i));
  }
  EXPECT_EQ(payload_of<MemoryTable>(round_trip({Request::set_mem_table, 1, table}, table.fds)),
            table);
}

TEST(VhostUserMessage, ConfigRoundTrips) {
  const DeviceConfig config{0, 0, {1, 2, 3, 4, 5, 6}};
  EXPECT_EQ(payload_of<DeviceConfig>(round_trip({Request::get_config, 1, config})), config);
  EXPECT_EQ(payload_of<DeviceConfig>(round_trip({Request::set_config, 1, config})), config);
}

TEST(VhostUserMessage, NeedReplyFlagIsKept) {
  const MessageResult r = round_trip({Request::set_owner, kFlagVersion1 | kFlagNeedReply, {}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.message.need_reply());
  const HeaderResult h = decode_header(encode_request({Request::set_owner, 9, {}}));
  EXPECT_TRUE(h.header.need_reply());
}

TEST(VhostUserMessage, RepliesHaveTheExactLayout) {
  EXPECT_EQ(encode_u64_reply(Request::get_features, 0x1'0000'0000),
            raw(1, 0x5, 8, u64_bytes(0x1'0000'0000)));
  EXPECT_EQ(encode_ack_reply(Request::set_mem_table, true), raw(5, 0x5, 8, u64_bytes(0)));
  EXPECT_EQ(encode_ack_reply(Request::set_mem_table, false), raw(5, 0x5, 8, u64_bytes(1)));
  EXPECT_EQ(encode_vring_state_reply(Request::get_vring_base, {1, 300}),
            raw(11, 0x5, 8, {1, 0, 0, 0, 44, 1, 0, 0}));
  EXPECT_EQ(encode_config_reply({4, 0, {9, 8}}),
            raw(24, 0x5, 14, {4, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9, 8}));
}

TEST(VhostUserMessage, RequestsWithReplyBodies) {
  EXPECT_TRUE(has_reply_body(Request::get_features));
  EXPECT_TRUE(has_reply_body(Request::get_protocol_features));
  EXPECT_TRUE(has_reply_body(Request::get_vring_base));
  EXPECT_TRUE(has_reply_body(Request::get_queue_num));
  EXPECT_TRUE(has_reply_body(Request::get_config));
  EXPECT_FALSE(has_reply_body(Request::set_mem_table));
  EXPECT_FALSE(has_reply_body(Request::set_vring_kick));
}

TEST(VhostUserMessageHeader, NeedsTwelveBytes) {
  const Bytes whole = raw(3, 1, 0);
  for (std::size_t n = 0; n < 12; ++n) {
    EXPECT_EQ(decode_header({whole.data(), n}).status, DecodeStatus::need_more) << n;
  }
  const HeaderResult h = decode_header(raw(8, 1, 8, u64_bytes(0)));
  EXPECT_EQ(h.status, DecodeStatus::complete);
  EXPECT_EQ(h.header.request, 8u);
  EXPECT_EQ(h.header.size, 8u);
}

TEST(VhostUserMessageHeader, BadFlagsAndSizesAreMalformed) {
  EXPECT_EQ(decode_header(raw(3, 0, 0)).error, MessageError::bad_version);
  EXPECT_EQ(decode_header(raw(3, 2, 0)).error, MessageError::bad_version);
  EXPECT_EQ(decode_header(raw(3, 5, 0)).error, MessageError::reply_flag_set);
  const HeaderResult big = decode_header(raw(5, 1, kMaxPayloadSize + 1));
  EXPECT_EQ(big.status, DecodeStatus::malformed);
  EXPECT_EQ(big.error, MessageError::payload_too_large);
  EXPECT_EQ(decode_header(raw(5, 1, 0xffff'ffff)).error, MessageError::payload_too_large);
  EXPECT_EQ(decode(raw(5, 1, 0xffff'ffff), {}).detail, 0xffff'ffffu);
}

TEST(VhostUserMessageMalformed, UnknownAndUnsupportedRequests) {
  for (const std::uint32_t n : {0u, 41u, 1000u, 0xffff'ffffu}) {
    const MessageResult r = decode(raw(n, 1, 0), {});
    EXPECT_EQ(r.error, MessageError::unknown_request) << n;
    EXPECT_EQ(r.detail, n);
  }
  for (const std::uint32_t n : {6u, 7u, 19u, 22u, 37u, 40u}) {
    EXPECT_EQ(decode(raw(n, 1, 0), {}).error, MessageError::unsupported_request) << n;
  }
}

TEST(VhostUserMessageMalformed, HeaderSizeMustMatchTheBytes) {
  Bytes bytes = raw(2, 1, 8, u64_bytes(1));
  bytes.pop_back();
  EXPECT_EQ(decode(bytes).error, MessageError::payload_size_mismatch);
  bytes = raw(2, 1, 8, u64_bytes(1));
  bytes.push_back(0);
  EXPECT_EQ(decode(bytes).error, MessageError::payload_size_mismatch);
  EXPECT_EQ(decode(Bytes{1, 0, 0}, {}).error, MessageError::payload_size_mismatch);
}

TEST(VhostUserMessageMalformed, PayloadSizeMustMatchTheRequest) {
  struct Case {
    std::uint32_t request;
    std::uint32_t size;
  };
  for (const Case c :
       {Case{1, 8},      Case{3, 1},  Case{4, 8},   Case{17, 4}, Case{2, 4},   Case{2, 16},
        Case{16, 0},     Case{8, 4},  Case{10, 12}, Case{11, 0}, Case{18, 16}, Case{9, 32},
        Case{9, 48},     Case{12, 4}, Case{13, 0},  Case{14, 9}, Case{5, 4},   Case{5, 8 + 31},
        Case{5, 8 + 33}, Case{24, 8}, Case{34, 8}}) {
    const MessageResult r = decode(raw(c.request, 1, c.size, Bytes(c.size, 0)), {});
    EXPECT_EQ(r.error, MessageError::payload_size_mismatch) << c.request << "/" << c.size;
    EXPECT_EQ(r.detail, c.size);
  }
}

TEST(VhostUserMessageMalformed, TooManyRegions) {
  Bytes payload(8 + 9 * 32, 0);
  payload[0] = 9;
  const MessageResult r = decode(raw(5, 1, 8 + 9 * 32, payload), {});
  EXPECT_EQ(r.error, MessageError::too_many_regions);
  EXPECT_EQ(r.detail, 9u);
  payload.assign(8, 0);
  payload[3] = 0x80;  // a huge count, and no region bytes at all
  EXPECT_EQ(decode(raw(5, 1, 8, payload), {}).error, MessageError::too_many_regions);
}

TEST(VhostUserMessageMalformed, RegionCountMustMatchTheBytes) {
  Bytes payload(8 + 2 * 32, 0);
  payload[0] = 3;  // says 3, carries 2
  EXPECT_EQ(decode(raw(5, 1, 8 + 2 * 32, payload), {1, 2, 3}).error,
            MessageError::payload_size_mismatch);
}

TEST(VhostUserMessageMalformed, MemoryTableFdsMustMatchTheRegions) {
  MemoryTable table;
  table.regions = {{0, 4096, 0x1000, 0}, {8192, 4096, 0x9000, 0}};
  const Bytes bytes = encode_request({Request::set_mem_table, 1, table});
  for (const std::vector<int>& fds : {std::vector<int>{}, {4}, {4, 5, 6}}) {
    const MessageResult r = decode(bytes, fds);
    EXPECT_EQ(r.error, MessageError::fd_count_mismatch);
    EXPECT_EQ(r.detail, fds.size());
  }
}

TEST(VhostUserMessageMalformed, VringFileFdsMustMatchTheFlag) {
  EXPECT_EQ(decode(raw(12, 1, 8, u64_bytes(0)), {}).error, MessageError::fd_count_mismatch);
  EXPECT_EQ(decode(raw(13, 1, 8, u64_bytes(0)), {3, 4}).error, MessageError::fd_count_mismatch);
  EXPECT_EQ(decode(raw(14, 1, 8, u64_bytes(0x100)), {3}).error, MessageError::fd_count_mismatch);
}

TEST(VhostUserMessageMalformed, VringFileReservedBits) {
  const MessageResult r = decode(raw(12, 1, 8, u64_bytes(0x200)), {3});
  EXPECT_EQ(r.error, MessageError::reserved_bits_set);
  EXPECT_EQ(decode(raw(13, 1, 8, u64_bytes(1ull << 63)), {3}).error,
            MessageError::reserved_bits_set);
}

TEST(VhostUserMessageMalformed, FdsOnRequestsThatCarryNone) {
  for (const Bytes& bytes : {raw(3, 1, 0), raw(2, 1, 8, u64_bytes(0)), raw(8, 1, 8, Bytes(8, 0)),
                             raw(9, 1, 40, Bytes(40, 0)), raw(25, 1, 12, Bytes(12, 0))}) {
    const MessageResult r = decode(bytes, {9});
    EXPECT_EQ(r.error, MessageError::fd_count_mismatch);
    EXPECT_EQ(r.detail, 1u);
  }
}

TEST(VhostUserMessageMalformed, ConfigTooLargeOrMismatched) {
  Bytes payload(12, 0);
  payload[4] = 0x01;
  payload[5] = 0x01;  // size 257
  payload.resize(12 + 257);
  const MessageResult r = decode(raw(25, 1, 12 + 257, payload), {});
  EXPECT_EQ(r.error, MessageError::config_too_large);
  EXPECT_EQ(r.detail, 257u);
  payload.assign(12 + 4, 0);
  payload[4] = 8;  // says 8 bytes, carries 4
  EXPECT_EQ(decode(raw(24, 1, 16, payload), {}).error, MessageError::payload_size_mismatch);
}

TEST(VhostUserMessageMalformed, ErrorsAreDescribed) {
  EXPECT_EQ(describe(MessageError::payload_size_mismatch),
            "payload size does not match the request");
  EXPECT_EQ(describe(MessageError::fd_count_mismatch), "wrong number of file descriptors");
}

}  // namespace
}  // namespace vmesh::vhost
