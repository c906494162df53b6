// Pure netlink message building and parsing for the agent's setup conversation with the
// kernel: resolving the MAC80211_HWSIM family (CTRL_CMD_GETFAMILY), REGISTER, NEW_RADIO,
// DEL_RADIO, and reading acks. No sockets here, so everything is testable with hand-laid
// bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/wire/mac_address.hpp"

namespace vmesh::agent {

// linux/netlink.h and linux/genetlink.h numbers.
inline constexpr std::uint16_t kNlmsgNoop = 1;
inline constexpr std::uint16_t kNlmsgError = 2;
inline constexpr std::uint16_t kNlmsgDone = 3;
inline constexpr std::uint16_t kNlmsgOverrun = 4;
inline constexpr std::uint16_t kGenlIdCtrl = 0x10;
inline constexpr std::uint8_t kCtrlCmdNewFamily = 1;
inline constexpr std::uint8_t kCtrlCmdGetFamily = 3;
inline constexpr std::uint16_t kCtrlAttrFamilyId = 1;
inline constexpr std::uint16_t kCtrlAttrFamilyName = 2;
inline constexpr std::uint16_t kCtrlAttrVersion = 3;

// Header fields of one netlink message inside a received datagram.
struct NetlinkView {
  std::uint16_t type = 0;
  std::uint16_t flags = 0;
  std::uint32_t seq = 0;
  std::span<const std::uint8_t> bytes;  // the whole message, nlmsg_len bytes
};

// Calls visit(NetlinkView) for each whole message in a datagram; stops at the first one
// whose nlmsg_len is impossible. Returns the number of messages visited. No throws.
template <typename Visit>
std::size_t for_each_netlink_message(std::span<const std::uint8_t> datagram, Visit&& visit);

// CTRL_CMD_GETFAMILY for `family_name`, flags REQUEST|ACK.
void build_get_family_request(std::vector<std::uint8_t>& out, std::uint32_t seq,
                              std::string_view family_name);

// The family id from a CTRL_CMD_NEWFAMILY reply; nullopt if `message` is not one.
std::optional<std::uint16_t> parse_family_id(std::span<const std::uint8_t> message);

// HWSIM_CMD_REGISTER, flags REQUEST|ACK.
void build_register_request(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                            std::uint32_t seq);

// HWSIM_CMD_NEW_RADIO with HWSIM_ATTR_PERM_ADDR, flags REQUEST|ACK.
void build_new_radio_request(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                             std::uint32_t seq, const wire::MacAddress& perm_addr);

// HWSIM_CMD_DEL_RADIO by HWSIM_ATTR_RADIO_ID, flags REQUEST|ACK.
void build_del_radio_request(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                             std::uint32_t seq, std::uint32_t radio_id);

// An NLMSG_ERROR message: error 0 is an ack; hwsim's NEW_RADIO "error" is the new radio's
// index (>= 0) because its handler returns the index and netlink_rcv_skb acks any non-zero
// result; negative values are -errno.
struct NetlinkAck {
  std::int32_t error = 0;
  std::uint32_t request_seq = 0;  // nlmsg_seq of the request it answers
};
// nullopt if `message` is not a well-formed NLMSG_ERROR. No throws.
std::optional<NetlinkAck> parse_ack(std::span<const std::uint8_t> message);

// Human-readable outcome of a request, e.g. for REGISTER -EBUSY: "another program is
// already registered as the hwsim medium (EBUSY) ...".
enum class Request : std::uint8_t { get_family, register_medium, new_radio, del_radio };
std::string describe_error(Request request, std::int32_t error);

// ---- implementation of the template ----
std::uint32_t netlink_message_length(std::span<const std::uint8_t> bytes) noexcept;
NetlinkView netlink_view(std::span<const std::uint8_t> message) noexcept;

template <typename Visit>
std::size_t for_each_netlink_message(std::span<const std::uint8_t> datagram, Visit&& visit) {
  std::size_t count = 0;
  while (datagram.size() >= 16) {
    const std::uint32_t len = netlink_message_length(datagram);
    if (len < 16 || len > datagram.size()) break;
    visit(netlink_view(datagram.first(len)));
    ++count;
    const std::size_t step = (static_cast<std::size_t>(len) + 3) & ~std::size_t{3};
    if (step >= datagram.size()) break;
    datagram = datagram.subspan(step);
  }
  return count;
}

}  // namespace vmesh::agent
