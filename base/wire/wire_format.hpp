// Byte layout of the vwifi client stream and the mac80211_hwsim generic-netlink numbers.
//
// A stream is a concatenation of messages: one signed power byte (dBm) followed by one
// generic-netlink message (nlmsghdr + genlmsghdr + attributes) whose total length is
// nlmsg_len. All integers are in host byte order, as vwifi writes them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vmesh::wire {

inline constexpr std::size_t kPowerBytes = 1;
inline constexpr std::size_t kNlmsgHeaderBytes = 16;
inline constexpr std::size_t kGenlHeaderBytes = 4;
inline constexpr std::size_t kAttrHeaderBytes = 4;
inline constexpr std::size_t kNetlinkAlign = 4;

// Offsets inside the netlink message (i.e. after the power byte).
inline constexpr std::size_t kOffsetNlmsgLen = 0;
inline constexpr std::size_t kOffsetNlmsgType = 4;
inline constexpr std::size_t kOffsetNlmsgFlags = 6;
inline constexpr std::size_t kOffsetNlmsgSeq = 8;
inline constexpr std::size_t kOffsetNlmsgPid = 12;
inline constexpr std::size_t kOffsetGenlCmd = 16;
inline constexpr std::size_t kOffsetGenlVersion = 17;
inline constexpr std::size_t kOffsetAttrs = kNlmsgHeaderBytes + kGenlHeaderBytes;

// Smallest valid nlmsg_len: the two headers and no attributes.
inline constexpr std::uint32_t kMinNlmsgLen = kNlmsgHeaderBytes + kGenlHeaderBytes;
// vwifi-server disconnects senders above 2352 bytes, too small for VHT MPDUs (up to
// 11454 bytes) plus the hwsim attributes around them. We accept up to 16 KiB.
inline constexpr std::uint32_t kVwifiMaxNlmsgLen = 2352;
inline constexpr std::uint32_t kMaxNlmsgLen = 16384;
inline constexpr std::size_t kMaxWireMessageBytes = kPowerBytes + kMaxNlmsgLen;

inline constexpr std::int8_t kDefaultTxPowerDbm = 10;
inline constexpr std::uint32_t kDefaultFreqMhz = 2412;
inline constexpr std::size_t kMacBytes = 6;

constexpr std::size_t netlink_align(std::size_t n) {
  return (n + kNetlinkAlign - 1) & ~(kNetlinkAlign - 1);
}

// mac80211_hwsim generic netlink family "MAC80211_HWSIM", version 1.
inline constexpr char kHwsimFamilyName[] = "MAC80211_HWSIM";
inline constexpr std::uint8_t kHwsimGenlVersion = 1;

enum class HwsimCmd : std::uint8_t {
  unspec = 0,
  register_medium = 1,
  frame = 2,
  tx_info_frame = 3,
  new_radio = 4,
  del_radio = 5,
  get_radio = 6,
  add_mac_addr = 7,
  del_mac_addr = 8,
};

enum class HwsimAttr : std::uint16_t {
  unspec = 0,
  addr_receiver = 1,
  addr_transmitter = 2,
  frame = 3,
  flags = 4,
  rx_rate = 5,
  signal = 6,
  tx_info = 7,
  cookie = 8,
  channels = 9,
  radio_id = 10,
  reg_hint_alpha2 = 11,
  reg_custom_reg = 12,
  reg_strict_reg = 13,
  support_p2p_device = 14,
  use_chanctx = 15,
  destroy_radio_on_close = 16,
  radio_name = 17,
  no_vif = 18,
  freq = 19,
  pad = 20,
  tx_info_flags = 21,
  perm_addr = 22,
  iftype_support = 23,
  cipher_support = 24,
};

// HWSIM_ATTR_FLAGS bits.
inline constexpr std::uint32_t kHwsimTxCtlReqTxStatus = 1u << 0;
inline constexpr std::uint32_t kHwsimTxCtlNoAck = 1u << 1;
inline constexpr std::uint32_t kHwsimTxStatAck = 1u << 2;

}  // namespace vmesh::wire
