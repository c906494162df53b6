// Writes vwifi messages: the power byte and the whole netlink message into one buffer,
// so a sender needs exactly one write per message (or one per batch of messages).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/wire/mac_address.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::wire {

struct NetlinkHeader {
  std::uint16_t type = 0;  // the sender's hwsim family id
  std::uint16_t flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t pid = 0;
};

// Appends one message to `out`; several builders may fill one buffer in turn.
//   MessageBuilder b(out, power_dbm, HwsimCmd::frame, header);
//   b.put_mac(HwsimAttr::addr_transmitter, mac); b.put(HwsimAttr::frame, bytes);
//   b.finish();
class MessageBuilder {
 public:
  MessageBuilder(std::vector<std::uint8_t>& out, std::int8_t power_dbm, HwsimCmd cmd,
                 const NetlinkHeader& header, std::uint8_t genl_version = kHwsimGenlVersion);

  void put(HwsimAttr type, std::span<const std::uint8_t> value);
  void put_u32(HwsimAttr type, std::uint32_t value);
  void put_u64(HwsimAttr type, std::uint64_t value);
  void put_mac(HwsimAttr type, const MacAddress& mac);

  // Writes nlmsg_len and returns the whole message (power byte first). Call once.
  std::span<const std::uint8_t> finish();

 private:
  std::vector<std::uint8_t>& out_;
  std::size_t start_;
};

// Rewrites the power byte of an encoded message in place.
inline void set_power(std::span<std::uint8_t> wire_message, std::int8_t power_dbm) {
  wire_message[0] = static_cast<std::uint8_t>(power_dbm);
}

}  // namespace vmesh::wire
