#include "relay/agent/pending_statuses.hpp"

#include <algorithm>

namespace vmesh::agent {

wire::HwsimMessage PendingStatuses::Entry::as_message() const {
  wire::HwsimMessage m;
  m.genl_cmd = static_cast<std::uint8_t>(wire::HwsimCmd::frame);
  m.transmitter = transmitter;
  m.flags = flags;
  m.cookie = cookie;
  m.tx_info = std::span<const std::uint8_t>(tx_info).first(tx_info_len);
  m.tx_info_flags = std::span<const std::uint8_t>(tx_info_flags).first(tx_info_flags_len);
  return m;
}

std::optional<PendingStatuses::Entry> PendingStatuses::push(const wire::HwsimMessage& tx) noexcept {
  std::optional<Entry> evicted;
  if (count_ == kCapacity) evicted = pop_front();
  Entry& e = slots_[(head_ + count_) % kCapacity];
  e.cookie = tx.cookie.value_or(0);
  e.transmitter = tx.transmitter.value_or(wire::MacAddress{});
  e.flags = tx.flags.value_or(0);
  e.tx_info_len = static_cast<std::uint8_t>(std::min(tx.tx_info.size(), e.tx_info.size()));
  std::copy_n(tx.tx_info.begin(), e.tx_info_len, e.tx_info.begin());
  e.tx_info_flags_len =
      static_cast<std::uint8_t>(std::min(tx.tx_info_flags.size(), e.tx_info_flags.size()));
  std::copy_n(tx.tx_info_flags.begin(), e.tx_info_flags_len, e.tx_info_flags.begin());
  ++count_;
  return evicted;
}

PendingStatuses::Entry PendingStatuses::pop_front() noexcept {
  Entry e = slots_[head_];
  head_ = (head_ + 1) % kCapacity;
  --count_;
  return e;
}

}  // namespace vmesh::agent
