#include "base/wire/hwsim_message.hpp"

#include <algorithm>

#include "base/wire/byte_io.hpp"

namespace vmesh::wire {

namespace {

// Calls visit for each well-formed attribute; a template so hot paths inline the visitor.
template <typename Visit>
void walk_attributes(std::span<const std::uint8_t> attrs, Visit&& visit) {
  std::size_t offset = 0;
  while (attrs.size() - offset >= kAttrHeaderBytes) {
    const auto attr_len = load<std::uint16_t>(attrs.data() + offset);
    const auto attr_type = load<std::uint16_t>(attrs.data() + offset + 2);
    if (attr_len < kAttrHeaderBytes || attr_len > attrs.size() - offset) return;
    // The top two bits are NLA_F_NESTED / NLA_F_NET_BYTEORDER flags, not part of the type.
    visit(static_cast<std::uint16_t>(attr_type & 0x3fff),
          attrs.subspan(offset + kAttrHeaderBytes, attr_len - kAttrHeaderBytes));
    offset += std::min(netlink_align(attr_len), attrs.size() - offset);
  }
}

template <typename T>
std::optional<T> as(std::span<const std::uint8_t> value) {
  if (value.size() != sizeof(T)) return std::nullopt;
  return load<T>(value.data());
}

std::optional<MacAddress> as_mac(std::span<const std::uint8_t> value) {
  if (value.size() != kMacBytes) return std::nullopt;
  MacAddress mac;
  std::copy(value.begin(), value.end(), mac.bytes.begin());
  return mac;
}

std::span<const std::uint8_t> attributes_of(std::span<const std::uint8_t> wire_message) {
  if (wire_message.size() < kPowerBytes + kOffsetAttrs) return {};
  const auto nlmsg_len = load<std::uint32_t>(wire_message.data() + kPowerBytes);
  const std::size_t end = std::min<std::size_t>(wire_message.size(), kPowerBytes + nlmsg_len);
  if (end < kPowerBytes + kOffsetAttrs) return {};
  return wire_message.subspan(kPowerBytes + kOffsetAttrs, end - kPowerBytes - kOffsetAttrs);
}

}  // namespace

void for_each_attribute(
    std::span<const std::uint8_t> attrs,
    const std::function<void(std::uint16_t, std::span<const std::uint8_t>)>& visit) {
  walk_attributes(attrs, visit);
}

HwsimMessage read_hwsim_message(std::span<const std::uint8_t> wire_message) noexcept {
  HwsimMessage msg;
  if (wire_message.size() < kPowerBytes + kOffsetAttrs) return msg;
  const std::uint8_t* nl = wire_message.data() + kPowerBytes;
  msg.power_dbm = static_cast<std::int8_t>(wire_message[0]);
  msg.nlmsg_type = load<std::uint16_t>(nl + kOffsetNlmsgType);
  msg.nlmsg_flags = load<std::uint16_t>(nl + kOffsetNlmsgFlags);
  msg.nlmsg_seq = load<std::uint32_t>(nl + kOffsetNlmsgSeq);
  msg.nlmsg_pid = load<std::uint32_t>(nl + kOffsetNlmsgPid);
  msg.genl_cmd = nl[kOffsetGenlCmd];
  msg.genl_version = nl[kOffsetGenlVersion];

  walk_attributes(attributes_of(wire_message), [&](std::uint16_t type, auto value) {
    switch (static_cast<HwsimAttr>(type)) {
      case HwsimAttr::addr_transmitter:
        msg.transmitter = as_mac(value);
        break;
      case HwsimAttr::addr_receiver:
        msg.receiver = as_mac(value);
        break;
      case HwsimAttr::frame:
        msg.frame = value;
        break;
      case HwsimAttr::flags:
        msg.flags = as<std::uint32_t>(value);
        break;
      case HwsimAttr::rx_rate:
        msg.rx_rate = as<std::uint32_t>(value);
        break;
      case HwsimAttr::signal:
        msg.signal_dbm = as<std::uint32_t>(value);
        break;
      case HwsimAttr::cookie:
        msg.cookie = as<std::uint64_t>(value);
        break;
      case HwsimAttr::freq:
        msg.freq_mhz = as<std::uint32_t>(value);
        break;
      case HwsimAttr::tx_info:
        msg.tx_info = value;
        break;
      case HwsimAttr::tx_info_flags:
        msg.tx_info_flags = value;
        break;
      default:
        break;
    }
  });
  return msg;
}

FrameRouting read_frame_routing(std::span<const std::uint8_t> wire_message) noexcept {
  FrameRouting routing;
  walk_attributes(attributes_of(wire_message), [&](std::uint16_t type, auto value) {
    if (type == static_cast<std::uint16_t>(HwsimAttr::addr_transmitter)) {
      routing.transmitter = as_mac(value);
    } else if (type == static_cast<std::uint16_t>(HwsimAttr::freq)) {
      if (auto freq = as<std::uint32_t>(value)) routing.freq_mhz = *freq;
    } else if (type == static_cast<std::uint16_t>(HwsimAttr::frame)) {
      routing.frame = value;
    }
  });
  return routing;
}

}  // namespace vmesh::wire
