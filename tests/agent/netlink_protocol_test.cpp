// Setup netlink messages against hand-laid bytes.
#include "relay/agent/netlink_protocol.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <vector>

namespace vmesh::agent {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(NetlinkProtocol, GetFamilyRequestBytes) {
  Bytes out;
  build_get_family_request(out, 7, "MAC80211_HWSIM");
  const Bytes expected = {
      40,   0,   0,   0,  // nlmsg_len
      0x10, 0,            // GENL_ID_CTRL
      0x05, 0,            // NLM_F_REQUEST | NLM_F_ACK
      7,    0,   0,   0,  // seq
      0,    0,   0,   0,  // pid
      3,    1,   0,   0,  // CTRL_CMD_GETFAMILY, version 1
      19,   0,   2,   0,  // CTRL_ATTR_FAMILY_NAME, 15 bytes of value
      'M',  'A', 'C', '8', '0', '2', '1', '1', '_', 'H', 'W', 'S', 'I', 'M', 0,
      0,  // padding to 4
  };
  EXPECT_EQ(out, expected);
}

TEST(NetlinkProtocol, ParsesFamilyIdFromNewFamilyReply) {
  const Bytes reply = {
      48, 0, 0, 0, 0x10, 0, 0, 0, 7, 0, 0, 0, 0x39, 0x30, 0, 0,  // nlmsghdr, pid
                                                                 // 12345
      1, 2, 0, 0,                                                // CTRL_CMD_NEWFAMILY, v2
      19, 0, 2, 0, 'M', 'A', 'C', '8', '0', '2', '1', '1', '_', 'H', 'W', 'S', 'I', 'M', 0, 0, 6, 0,
      1, 0, 0x22, 0x00, 0, 0,  // CTRL_ATTR_FAMILY_ID = 0x22
  };
  const auto id = parse_family_id(reply);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, 0x22);
}

TEST(NetlinkProtocol, FamilyIdParserRejectsOtherMessages) {
  Bytes not_ctrl = {24, 0, 0, 0, 0x22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(parse_family_id(not_ctrl).has_value());
  Bytes no_id = {20, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0};
  EXPECT_FALSE(parse_family_id(no_id).has_value());
}

TEST(NetlinkProtocol, RegisterRequestBytes) {
  Bytes out;
  build_register_request(out, 0x22, 9);
  const Bytes expected = {20, 0, 0, 0, 0x22, 0, 0x05, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0};
  EXPECT_EQ(out, expected);
}

TEST(NetlinkProtocol, NewRadioRequestCarriesPermAddr) {
  Bytes out;
  build_new_radio_request(out, 0x22, 10, *wire::MacAddress::parse("02:00:00:00:01:00"));
  const Bytes expected = {
      32, 0, 0,  0, 0x22, 0, 0x05, 0, 10,   0,    0, 0,
      0,  0, 0,  0, 4,    1, 0,    0,                    // HWSIM_CMD_NEW_RADIO
      10, 0, 22, 0, 0x02, 0, 0,    0, 0x01, 0x00, 0, 0,  // HWSIM_ATTR_PERM_ADDR + pad
  };
  EXPECT_EQ(out, expected);
}

TEST(NetlinkProtocol, DelRadioRequestCarriesRadioId) {
  Bytes out;
  build_del_radio_request(out, 0x22, 11, 5);
  const Bytes expected = {28, 0, 0, 0, 0x22, 0, 0x05, 0, 11, 0, 0, 0, 0, 0,
                          0,  0, 5, 1, 0,    0, 8,    0, 10, 0, 5, 0, 0, 0};
  EXPECT_EQ(out, expected);
}

Bytes ack_bytes(std::int32_t error, std::uint32_t seq) {
  Bytes m(36, 0);
  m[0] = 36;
  m[4] = 2;  // NLMSG_ERROR
  m[8] = static_cast<std::uint8_t>(seq);
  const auto e = static_cast<std::uint32_t>(error);
  for (int i = 0; i < 4; ++i)
    m[16 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(e >> (8 * i));
  m[20] = 20;                              // echoed request header: nlmsg_len
  m[24] = 0x22;                            // type
  m[28] = static_cast<std::uint8_t>(seq);  // seq
  return m;
}

TEST(NetlinkProtocol, ParsesAckAndError) {
  const auto ok = parse_ack(ack_bytes(0, 9));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->error, 0);
  EXPECT_EQ(ok->request_seq, 9u);

  const auto busy = parse_ack(ack_bytes(-EBUSY, 12));
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->error, -EBUSY);
  EXPECT_EQ(busy->request_seq, 12u);

  const auto radio_index = parse_ack(ack_bytes(3, 13));  // NEW_RADIO answers with the index
  ASSERT_TRUE(radio_index.has_value());
  EXPECT_EQ(radio_index->error, 3);

  Bytes truncated = ack_bytes(0, 1);
  truncated.resize(20);
  EXPECT_FALSE(parse_ack(truncated).has_value());
  Bytes not_error = ack_bytes(0, 1);
  not_error[4] = 3;  // NLMSG_DONE
  EXPECT_FALSE(parse_ack(not_error).has_value());
}

TEST(NetlinkProtocol, BusyRegisterIsAClearMessage) {
  const std::string text = describe_error(Request::register_medium, -EBUSY);
  EXPECT_NE(text.find("HWSIM_CMD_REGISTER"), std::string::npos) << text;
  EXPECT_NE(text.find("already registered"), std::string::npos) << text;
  EXPECT_NE(text.find("EBUSY"), std::string::npos) << text;
  const std::string missing = describe_error(Request::get_family, -ENOENT);
  EXPECT_NE(missing.find("modprobe mac80211_hwsim radios=0"), std::string::npos) << missing;
  EXPECT_NE(describe_error(Request::new_radio, -EEXIST).find("already exists"), std::string::npos);
}

TEST(NetlinkProtocol, WalksEveryMessageOfADatagram) {
  Bytes datagram;
  build_register_request(datagram, 0x22, 1);
  build_new_radio_request(datagram, 0x22, 2, *wire::MacAddress::parse("02:00:00:00:01:01"));
  const Bytes ack = ack_bytes(-EINVAL, 3);
  datagram.insert(datagram.end(), ack.begin(), ack.end());
  std::vector<std::uint32_t> seqs;
  std::vector<std::uint16_t> types;
  const std::size_t n = for_each_netlink_message(datagram, [&](const NetlinkView& v) {
    seqs.push_back(v.seq);
    types.push_back(v.type);
  });
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(seqs, (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(types, (std::vector<std::uint16_t>{0x22, 0x22, kNlmsgError}));

  Bytes bad = datagram;
  bad[0] = 255;  // first message length runs past the datagram
  EXPECT_EQ(for_each_netlink_message(bad, [](const NetlinkView&) {}), 0u);
}

}  // namespace
}  // namespace vmesh::agent
