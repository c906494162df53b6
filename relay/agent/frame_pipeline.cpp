#include "relay/agent/frame_pipeline.hpp"

#include <cstring>

#include "base/wire/byte_io.hpp"
#include "base/wire/hwsim_frames.hpp"
#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_decoder.hpp"
#include "base/wire/tx_status.hpp"
#include "base/wire/wire_format.hpp"
#include "relay/agent/netlink_protocol.hpp"

namespace vmesh::agent {

using wire::append_relay_tx_status;
using wire::append_rx_frame;
using wire::append_tx_status;
using wire::rx_rate_for;

FramePipeline::FramePipeline(std::uint16_t family_id, std::vector<LocalRadio> radios,
                             std::int8_t tx_power_dbm)
    : family_id_(family_id), radios_(std::move(radios)), tx_power_dbm_(tx_power_dbm) {
  scratch_.reserve(wire::kMaxWireMessageBytes);
}

std::optional<std::size_t> FramePipeline::radio_by_hwsim_addr(
    const wire::MacAddress& mac) const noexcept {
  for (std::size_t i = 0; i < radios_.size(); ++i) {
    if (radios_[i].hwsim_addr == mac) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> FramePipeline::learn_radio(
    const wire::MacAddress& transmitter) noexcept {
  // Radios created with PERM_ADDR are keyed by that address; radios the module created by
  // itself use the permanent address with 0x40 set in the first octet. Accept either form.
  for (std::size_t i = 0; i < radios_.size(); ++i) {
    wire::MacAddress alt = radios_[i].perm_addr;
    alt.bytes[0] = static_cast<std::uint8_t>(alt.bytes[0] ^ 0x40);
    if (alt == transmitter || radios_[i].perm_addr == transmitter) {
      radios_[i].hwsim_addr = transmitter;
      return i;
    }
  }
  return std::nullopt;
}

KernelEvent FramePipeline::on_kernel_message(std::span<const std::uint8_t> nlmsg,
                                             std::vector<std::uint8_t>* relay_out,
                                             std::vector<std::uint8_t>& kernel_out) {
  KernelEvent event;
  if (nlmsg.size() < 16) {
    ++counters_.malformed;
    event.kind = KernelEventKind::malformed;
    return event;
  }
  const NetlinkView view = netlink_view(nlmsg);
  if (view.type == kNlmsgError) {
    const auto ack = parse_ack(nlmsg);
    if (!ack) {
      ++counters_.malformed;
      event.kind = KernelEventKind::malformed;
    } else if (ack->error < 0) {
      ++counters_.kernel_errors;
      event.kind = KernelEventKind::error;
      event.error = ack->error;
    } else {
      ++counters_.kernel_acks;
      event.kind = KernelEventKind::ack;
    }
    return event;
  }
  if (view.type != family_id_ || nlmsg.size() < wire::kOffsetAttrs ||
      nlmsg[wire::kOffsetGenlCmd] != static_cast<std::uint8_t>(wire::HwsimCmd::frame)) {
    ++counters_.ignored;
    return event;
  }

  // Lay the message out as the relay wants it: [power][netlink message, unchanged]. Parse
  // from that copy so the wire codec's reader serves both directions.
  std::vector<std::uint8_t>& wire_buf = relay_out != nullptr ? *relay_out : scratch_;
  if (relay_out == nullptr) scratch_.clear();
  const std::size_t start = wire_buf.size();
  wire_buf.resize(start + wire::kPowerBytes + nlmsg.size());
  wire_buf[start] = static_cast<std::uint8_t>(tx_power_dbm_);
  std::memcpy(wire_buf.data() + start + wire::kPowerBytes, nlmsg.data(), nlmsg.size());
  const auto wire_message = std::span<const std::uint8_t>(wire_buf).subspan(start);

  const wire::DecodeResult decoded = wire::decode_message(wire_message);
  if (decoded.status != wire::DecodeStatus::complete || decoded.wire_bytes != wire_message.size()) {
    wire_buf.resize(start);
    ++counters_.malformed;
    event.kind = KernelEventKind::malformed;
    return event;
  }
  const wire::HwsimMessage tx = wire::read_hwsim_message(wire_message);
  ++counters_.kernel_frames;
  event.kind = KernelEventKind::frame;
  if (relay_out != nullptr) ++counters_.relay_out_frames;

  if (medium_acks_ && wire::wants_medium_ack(tx)) {
    ++counters_.awaiting_medium;
    if (relay_out == nullptr) {
      answer_unacked(tx, kernel_out);  // not sent (the relay is too far behind): nobody heard it
    } else if (auto evicted = pending_.push(tx)) {
      answer_unacked(evicted->as_message(), kernel_out);
    }
  } else if (append_tx_status(kernel_out, family_id_, tx)) {
    ++counters_.tx_status;
  }

  std::optional<std::size_t> sender;
  if (tx.transmitter) {
    sender = radio_by_hwsim_addr(*tx.transmitter);
    if (!sender) {
      sender = learn_radio(*tx.transmitter);
      event.learned_radio = sender;
    }
  }
  if (!sender) {
    ++counters_.unknown_transmitter;
    return event;
  }
  counters_.local_forwards += wire::append_local_forwards(kernel_out, family_id_, tx, radios_,
                                                          *sender, &LocalRadio::hwsim_addr);
  return event;
}

void FramePipeline::answer_unacked(const wire::HwsimMessage& tx,
                                   std::vector<std::uint8_t>& kernel_out) {
  if (append_tx_status(kernel_out, family_id_, tx,
                       {.acked = false, .attempts = wire::planned_attempts(tx.tx_info)})) {
    ++counters_.unanswered;
  }
}

std::size_t FramePipeline::on_relay_lost(std::vector<std::uint8_t>& kernel_out) {
  medium_acks_ = false;
  const std::size_t waiting = pending_.size();
  pending_.drain(
      [&](const PendingStatuses::Entry& e) { answer_unacked(e.as_message(), kernel_out); });
  return waiting;
}

RelayEventKind FramePipeline::on_relay_status(std::span<const std::uint8_t> wire_message,
                                              std::vector<std::uint8_t>& kernel_out) {
  const wire::HwsimMessage status = wire::read_hwsim_message(wire_message);
  const auto skipped = [&](const PendingStatuses::Entry& e) {
    answer_unacked(e.as_message(), kernel_out);
  };
  if (!medium_acks_ || !status.cookie || !pending_.settle(*status.cookie, skipped)) {
    // Not asked for, or for a frame already answered here: the kernel must not hear twice.
    ++counters_.ignored;
    return RelayEventKind::ignored;
  }
  if (append_relay_tx_status(kernel_out, family_id_, wire_message)) ++counters_.medium_statuses;
  return RelayEventKind::tx_status;
}

RelayEventKind FramePipeline::on_relay_message(std::span<const std::uint8_t> wire_message,
                                               std::vector<std::uint8_t>* relay_out,
                                               std::vector<std::uint8_t>& kernel_out) {
  if (wire::is_hello(wire_message)) {
    if (medium_acks_ || relay_out == nullptr) return RelayEventKind::ignored;
    wire::append_hello(*relay_out);  // frames after this one get the relay's verdict
    medium_acks_ = true;
    return RelayEventKind::tx_status_on;
  }
  const wire::HwsimMessage rx = wire::read_hwsim_message(wire_message);
  if (rx.genl_cmd == static_cast<std::uint8_t>(wire::HwsimCmd::tx_info_frame)) {
    return on_relay_status(wire_message, kernel_out);
  }
  if (rx.genl_cmd != static_cast<std::uint8_t>(wire::HwsimCmd::frame) || rx.frame.empty()) {
    ++counters_.ignored;
    return RelayEventKind::ignored;
  }
  ++counters_.relay_in_frames;
  if (rx.transmitter && radio_by_hwsim_addr(*rx.transmitter)) {
    ++counters_.own_echoes;
    return RelayEventKind::frame;
  }
  const std::uint32_t freq = rx.freq_or_default();
  const std::uint32_t rate = rx_rate_for(rx.tx_info, freq);
  for (const LocalRadio& radio : radios_) {
    append_rx_frame(kernel_out, family_id_,
                    {.receiver = radio.hwsim_addr,
                     .frame = rx.frame,
                     .rx_rate = rate,
                     .signal_dbm = rx.power_dbm,
                     .freq_mhz = freq});
    ++counters_.rx_delivered;
  }
  return RelayEventKind::frame;
}

}  // namespace vmesh::agent
