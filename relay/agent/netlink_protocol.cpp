#include "relay/agent/netlink_protocol.hpp"

#include <cerrno>
#include <cstring>

#include "base/wire/byte_io.hpp"
#include "base/wire/genl_writer.hpp"
#include "base/wire/hwsim_message.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::agent {

using wire::GenlWriter;
using wire::kNlmFAck;
using wire::kNlmFRequest;

using wire::HwsimAttr;
using wire::HwsimCmd;
using wire::load;

namespace {

constexpr std::uint16_t kRequestAck = kNlmFRequest | kNlmFAck;

std::uint16_t attr(HwsimAttr a) {
  return static_cast<std::uint16_t>(a);
}
std::uint8_t cmd(HwsimCmd c) {
  return static_cast<std::uint8_t>(c);
}

}  // namespace

std::uint32_t netlink_message_length(std::span<const std::uint8_t> bytes) noexcept {
  return load<std::uint32_t>(bytes.data());
}

NetlinkView netlink_view(std::span<const std::uint8_t> message) noexcept {
  NetlinkView view;
  view.type = load<std::uint16_t>(message.data() + wire::kOffsetNlmsgType);
  view.flags = load<std::uint16_t>(message.data() + wire::kOffsetNlmsgFlags);
  view.seq = load<std::uint32_t>(message.data() + wire::kOffsetNlmsgSeq);
  view.bytes = message;
  return view;
}

void build_get_family_request(std::vector<std::uint8_t>& out, std::uint32_t seq,
                              std::string_view family_name) {
  GenlWriter w(out, {.type = kGenlIdCtrl,
                     .flags = kRequestAck,
                     .seq = seq,
                     .cmd = kCtrlCmdGetFamily,
                     .version = 1});
  w.put_string(kCtrlAttrFamilyName, family_name);
  w.finish();
}

std::optional<std::uint16_t> parse_family_id(std::span<const std::uint8_t> message) {
  if (message.size() < wire::kOffsetAttrs) return std::nullopt;
  const NetlinkView view = netlink_view(message);
  if (view.type != kGenlIdCtrl || message[wire::kOffsetGenlCmd] != kCtrlCmdNewFamily)
    return std::nullopt;
  const std::uint32_t len = netlink_message_length(message);
  if (len < wire::kOffsetAttrs || len > message.size()) return std::nullopt;
  std::optional<std::uint16_t> id;
  wire::for_each_attribute(message.subspan(wire::kOffsetAttrs, len - wire::kOffsetAttrs),
                           [&](std::uint16_t type, std::span<const std::uint8_t> value) {
                             if (type == kCtrlAttrFamilyId && value.size() == 2)
                               id = load<std::uint16_t>(value.data());
                           });
  return id;
}

void build_register_request(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                            std::uint32_t seq) {
  GenlWriter w(out, {.type = family_id,
                     .flags = kRequestAck,
                     .seq = seq,
                     .cmd = cmd(HwsimCmd::register_medium),
                     .version = wire::kHwsimGenlVersion});
  w.finish();
}

void build_new_radio_request(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                             std::uint32_t seq, const wire::MacAddress& perm_addr) {
  GenlWriter w(out, {.type = family_id,
                     .flags = kRequestAck,
                     .seq = seq,
                     .cmd = cmd(HwsimCmd::new_radio),
                     .version = wire::kHwsimGenlVersion});
  w.put_mac(attr(HwsimAttr::perm_addr), perm_addr);
  w.finish();
}

void build_del_radio_request(std::vector<std::uint8_t>& out, std::uint16_t family_id,
                             std::uint32_t seq, std::uint32_t radio_id) {
  GenlWriter w(out, {.type = family_id,
                     .flags = kRequestAck,
                     .seq = seq,
                     .cmd = cmd(HwsimCmd::del_radio),
                     .version = wire::kHwsimGenlVersion});
  w.put_u32(attr(HwsimAttr::radio_id), radio_id);
  w.finish();
}

std::optional<NetlinkAck> parse_ack(std::span<const std::uint8_t> message) {
  // nlmsghdr, then struct nlmsgerr { int error; struct nlmsghdr msg; ... }.
  constexpr std::size_t kNeeded = 16 + 4 + 16;
  if (message.size() < kNeeded) return std::nullopt;
  const NetlinkView view = netlink_view(message);
  if (view.type != kNlmsgError || netlink_message_length(message) < kNeeded) return std::nullopt;
  NetlinkAck ack;
  ack.error = load<std::int32_t>(message.data() + 16);
  ack.request_seq = load<std::uint32_t>(message.data() + 20 + wire::kOffsetNlmsgSeq);
  return ack;
}

std::string describe_error(Request request, std::int32_t error) {
  const int errnum = -error;
  std::string what;
  switch (request) {
    case Request::get_family:
      what = "resolving generic netlink family MAC80211_HWSIM";
      break;
    case Request::register_medium:
      what = "registering as the hwsim medium (HWSIM_CMD_REGISTER)";
      break;
    case Request::new_radio:
      what = "creating a radio (HWSIM_CMD_NEW_RADIO)";
      break;
    case Request::del_radio:
      what = "deleting a radio (HWSIM_CMD_DEL_RADIO)";
      break;
  }
  if (error >= 0) return what + ": ok";
  std::string text = what + " failed: " + std::strerror(errnum);
  if (request == Request::get_family && errnum == ENOENT) {
    text += " (mac80211_hwsim is not loaded: modprobe mac80211_hwsim radios=0)";
  } else if (request == Request::register_medium && errnum == EBUSY) {
    text +=
        " (EBUSY: another program, e.g. wmediumd or vwifi-client, is already registered as the "
        "medium in this network namespace; stop it first)";
  } else if (request == Request::register_medium && errnum == EOPNOTSUPP) {
    text += " (a radio uses more than one channel; load the module with channels=1)";
  } else if (request == Request::new_radio && errnum == EEXIST) {
    text += " (a radio with this permanent address already exists)";
  } else if (errnum == EPERM) {
    text += " (needs CAP_NET_ADMIN)";
  }
  return text;
}

}  // namespace vmesh::agent
