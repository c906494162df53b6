#include "base/wire/message_builder.hpp"

#include "base/wire/byte_io.hpp"

namespace vmesh::wire {

MessageBuilder::MessageBuilder(std::vector<std::uint8_t>& out, std::int8_t power_dbm, HwsimCmd cmd,
                               const NetlinkHeader& header, std::uint8_t genl_version)
    : out_(out), start_(out.size()) {
  out_.resize(start_ + kPowerBytes + kOffsetAttrs, 0);
  std::uint8_t* p = out_.data() + start_;
  p[0] = static_cast<std::uint8_t>(power_dbm);
  std::uint8_t* nl = p + kPowerBytes;
  store<std::uint16_t>(nl + kOffsetNlmsgType, header.type);
  store<std::uint16_t>(nl + kOffsetNlmsgFlags, header.flags);
  store<std::uint32_t>(nl + kOffsetNlmsgSeq, header.seq);
  store<std::uint32_t>(nl + kOffsetNlmsgPid, header.pid);
  nl[kOffsetGenlCmd] = static_cast<std::uint8_t>(cmd);
  nl[kOffsetGenlVersion] = genl_version;
}

void MessageBuilder::put(HwsimAttr type, std::span<const std::uint8_t> value) {
  const std::size_t attr_len = kAttrHeaderBytes + value.size();
  const std::size_t at = out_.size();
  out_.resize(at + netlink_align(attr_len), 0);
  store<std::uint16_t>(out_.data() + at, static_cast<std::uint16_t>(attr_len));
  store<std::uint16_t>(out_.data() + at + 2, static_cast<std::uint16_t>(type));
  std::copy(value.begin(), value.end(),
            out_.begin() + static_cast<std::ptrdiff_t>(at + kAttrHeaderBytes));
}

void MessageBuilder::put_u32(HwsimAttr type, std::uint32_t value) {
  std::uint8_t bytes[sizeof(value)];
  store(bytes, value);
  put(type, bytes);
}

void MessageBuilder::put_u64(HwsimAttr type, std::uint64_t value) {
  std::uint8_t bytes[sizeof(value)];
  store(bytes, value);
  put(type, bytes);
}

void MessageBuilder::put_mac(HwsimAttr type, const MacAddress& mac) {
  put(type, mac.bytes);
}

std::span<const std::uint8_t> MessageBuilder::finish() {
  const std::size_t nlmsg_len = out_.size() - start_ - kPowerBytes;
  store<std::uint32_t>(out_.data() + start_ + kPowerBytes, static_cast<std::uint32_t>(nlmsg_len));
  return std::span<const std::uint8_t>(out_).subspan(start_);
}

}  // namespace vmesh::wire
