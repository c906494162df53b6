#include "guest_messages.hpp"

#include "base/wire/genl_writer.hpp"

namespace vmesh::test {

const Bytes kGuestTxInfo = {0, 2, 1, 1, 0xff, 0, 0xff, 0};

wire::MacAddress interface_address(std::uint8_t node) {
  return {{0x02, 0xaa, 0x00, 0x00, 0x00, node}};
}

Bytes data_frame(const wire::MacAddress& addr1, const wire::MacAddress& addr2, std::uint32_t seq) {
  Bytes f = {0x08, 0x00, 0x00, 0x00};  // data, no DS bits, duration 0
  for (const auto* a : {&addr1, &addr2, &addr2})
    f.insert(f.end(), a->bytes.begin(), a->bytes.end());
  f.insert(f.end(), {0x00, 0x00});  // sequence control
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<std::uint8_t>(seq >> (8 * i)));
  return f;
}

Bytes guest_frame(const Bytes& frame, std::uint64_t cookie, const wire::MacAddress& transmitter) {
  Bytes out;
  wire::GenlWriter w(out, {.type = kGuestFamilyId,
                           .flags = 0,
                           .cmd = static_cast<std::uint8_t>(wire::HwsimCmd::frame),
                           .version = wire::kHwsimGenlVersion});
  w.put_mac(static_cast<std::uint16_t>(wire::HwsimAttr::addr_transmitter), transmitter);
  w.put(static_cast<std::uint16_t>(wire::HwsimAttr::frame), frame);
  w.put_u32(static_cast<std::uint16_t>(wire::HwsimAttr::flags), wire::kHwsimTxCtlReqTxStatus);
  w.put(static_cast<std::uint16_t>(wire::HwsimAttr::tx_info), kGuestTxInfo);
  w.put_u64(static_cast<std::uint16_t>(wire::HwsimAttr::cookie), cookie);
  w.put_u32(static_cast<std::uint16_t>(wire::HwsimAttr::freq), 2412);
  w.finish();
  return out;
}

std::vector<Bytes> with_command(const std::vector<Bytes>& messages, wire::HwsimCmd cmd) {
  std::vector<Bytes> out;
  for (const Bytes& m : messages) {
    if (wire::read_hwsim_message(m).genl_cmd == static_cast<std::uint8_t>(cmd)) out.push_back(m);
  }
  return out;
}

}  // namespace vmesh::test
