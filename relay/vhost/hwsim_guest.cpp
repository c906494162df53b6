#include "relay/vhost/hwsim_guest.hpp"

#include <algorithm>
#include <cstring>

#include "base/wire/byte_io.hpp"
#include "base/wire/hwsim_frames.hpp"
#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_decoder.hpp"
#include "base/wire/tx_status.hpp"

namespace vmesh::vhost {

namespace {

// Copies [offset, offset + out.size()) of the chain's readable bytes into `out`.
bool gather(const DescriptorChain& chain, std::size_t offset, std::span<std::uint8_t> out) {
  std::size_t done = 0;
  for (const auto& part : chain.readable) {
    if (done == out.size()) break;
    if (offset >= part.size()) {
      offset -= part.size();
      continue;
    }
    const std::size_t n = std::min(part.size() - offset, out.size() - done);
    std::memcpy(out.data() + done, part.data() + offset, n);
    done += n;
    offset = 0;
  }
  return done == out.size();
}

}  // namespace

bool copy_tx_message(const DescriptorChain& chain, std::int8_t power_dbm,
                     std::vector<std::uint8_t>& wire_out) {
  wire_out.clear();
  std::uint8_t len_bytes[4];
  if (!gather(chain, 0, len_bytes)) return false;
  const auto nlmsg_len = wire::load<std::uint32_t>(len_bytes);
  if (nlmsg_len < wire::kMinNlmsgLen || nlmsg_len > wire::kMaxNlmsgLen ||
      nlmsg_len > chain.readable_bytes)
    return false;
  wire_out.resize(wire::kPowerBytes + nlmsg_len);
  wire_out[0] = static_cast<std::uint8_t>(power_dbm);
  return gather(chain, 0, std::span(wire_out).subspan(wire::kPowerBytes));
}

std::optional<std::uint32_t> write_rx_message(DescriptorChain& chain,
                                              std::span<const std::uint8_t> message) noexcept {
  if (chain.writable_bytes < message.size()) return std::nullopt;
  std::size_t done = 0;
  for (auto& part : chain.writable) {
    if (done == message.size()) break;
    const std::size_t n = std::min(part.size(), message.size() - done);
    std::memcpy(part.data(), message.data() + done, n);
    done += n;
  }
  return static_cast<std::uint32_t>(done);
}

std::size_t first_message_bytes(std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.size() < wire::kNlmsgHeaderBytes) return 0;
  const std::size_t len = wire::netlink_align(wire::load<std::uint32_t>(bytes.data()));
  if (len < wire::kNlmsgHeaderBytes || len > bytes.size()) return 0;
  return len;
}

HwsimGuest::HwsimGuest(std::int8_t tx_power_dbm)
    : tx_power_dbm_(tx_power_dbm), radios_{kFirstHwsimRadio} {}

void HwsimGuest::forget_radios() {
  radios_.assign(1, kFirstHwsimRadio);
  family_id_ = 0;
}

void HwsimGuest::restore(std::uint16_t family_id, std::span<const wire::MacAddress> radios) {
  family_id_ = family_id;
  if (radios.empty()) return;
  radios_.assign(radios.begin(), radios.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min(radios.size(), kMaxGuestRadios)));
}

std::optional<std::size_t> HwsimGuest::learn(const wire::MacAddress& transmitter) {
  const auto it = std::find(radios_.begin(), radios_.end(), transmitter);
  if (it != radios_.end()) return static_cast<std::size_t>(it - radios_.begin());
  if (radios_.size() >= kMaxGuestRadios) return std::nullopt;
  radios_.push_back(transmitter);
  return radios_.size() - 1;
}

GuestTx HwsimGuest::on_tx(const DescriptorChain& chain, std::vector<std::uint8_t>& wire_out,
                          std::vector<std::uint8_t>& guest_out) {
  GuestTx out;
  if (!copy_tx_message(chain, tx_power_dbm_, wire_out)) {
    ++counters_.tx_malformed;
    return out;
  }
  const wire::DecodeResult decoded = wire::decode_message(wire_out);
  if (decoded.status != wire::DecodeStatus::complete || decoded.wire_bytes != wire_out.size()) {
    ++counters_.tx_malformed;
    return out;
  }
  const wire::HwsimMessage tx = wire::read_hwsim_message(wire_out);
  if (tx.genl_cmd != static_cast<std::uint8_t>(wire::HwsimCmd::frame) || tx.frame.empty() ||
      !tx.transmitter) {
    ++counters_.tx_ignored;
    out.kind = GuestTxKind::ignored;
    return out;
  }
  family_id_ = tx.nlmsg_type;
  ++counters_.tx_frames;
  out.kind = GuestTxKind::frame;
  out.wire_message = wire_out;
  out.medium_status = wire::wants_medium_ack(tx);
  if (!out.medium_status && wire::append_tx_status(guest_out, family_id_, tx))
    ++counters_.local_statuses;

  if (const auto sender = learn(*tx.transmitter)) {
    counters_.local_forwards +=
        wire::append_local_forwards(guest_out, family_id_, tx, radios_, *sender);
  }
  return out;
}

void HwsimGuest::on_delivery(std::span<const std::uint8_t> wire_message, std::int8_t signal_dbm,
                             std::vector<std::uint8_t>& guest_out) {
  const wire::HwsimMessage rx = wire::read_hwsim_message(wire_message);
  if (rx.genl_cmd != static_cast<std::uint8_t>(wire::HwsimCmd::frame) || rx.frame.empty()) return;
  const std::uint32_t freq = rx.freq_or_default();
  const std::uint32_t rate = wire::rx_rate_for(rx.tx_info, freq);
  for (const wire::MacAddress& radio : radios_) {
    wire::append_rx_frame(guest_out, family_id_,
                          {.receiver = radio,
                           .frame = rx.frame,
                           .rx_rate = rate,
                           .signal_dbm = signal_dbm,
                           .freq_mhz = freq});
    ++counters_.rx_frames;
  }
}

bool HwsimGuest::on_medium_status(std::span<const std::uint8_t> wire_status,
                                  std::vector<std::uint8_t>& guest_out) {
  if (!wire::append_relay_tx_status(guest_out, family_id_, wire_status)) return false;
  ++counters_.medium_statuses;
  return true;
}

}  // namespace vmesh::vhost
