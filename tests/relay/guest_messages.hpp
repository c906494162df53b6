// The netlink messages a guest's mac80211_hwsim puts on its virtio TX queue, and the
// addresses guests use, for the vhost-user tests (unit and against the real relay).
#pragma once

#include <cstdint>
#include <vector>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/mac_address.hpp"
#include "base/wire/wire_format.hpp"

namespace vmesh::test {

using Bytes = std::vector<std::uint8_t>;

// The guest's hwsim family id (any value: the relay keeps the guest's own).
inline constexpr std::uint16_t kGuestFamilyId = 0x23;
// What every guest's first hwsim radio is called.
inline const wire::MacAddress kGuestRadio{{0x42, 0, 0, 0, 0, 0}};
inline const wire::MacAddress kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
// A guest's interface address outside the topology's MAC-prefix scheme, so the relay can
// only know it from the guest's own frames.
wire::MacAddress interface_address(std::uint8_t node);

// A data frame addr1 <- addr2 (addr3 = addr2) carrying `seq` after the header.
Bytes data_frame(const wire::MacAddress& addr1, const wire::MacAddress& addr2, std::uint32_t seq);

// The TX_INFO guest_frame carries: rate 0 twice, rate 1 once, then unused.
extern const Bytes kGuestTxInfo;

// HWSIM_CMD_FRAME as the guest's hwsim sends it (netlink only, no power byte): transmitter
// 42:00:00:00:00:00 unless given, FRAME, FLAGS (REQ_TX_STATUS), TX_INFO, COOKIE, FREQ 2412.
Bytes guest_frame(const Bytes& frame, std::uint64_t cookie,
                  const wire::MacAddress& transmitter = kGuestRadio);

// The messages of `messages` (power byte first) whose genl command is `cmd`.
std::vector<Bytes> with_command(const std::vector<Bytes>& messages, wire::HwsimCmd cmd);

}  // namespace vmesh::test
