// Frames whose TX status the relay decides (the TX-status extension), oldest first. The
// relay answers in the order the frames went out, so settling is a walk from the front.
// A fixed ring: no allocation per frame. mac80211_hwsim itself gives up on a frame after
// about 64 unanswered ones, so a small capacity loses nothing the kernel still waits for.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/wire/hwsim_message.hpp"

namespace vmesh::agent {

class PendingStatuses {
 public:
  static constexpr std::size_t kCapacity = 256;

  // What a TX status needs of the frame, copied out of the receive buffer.
  struct Entry {
    std::uint64_t cookie = 0;
    wire::MacAddress transmitter;
    std::uint32_t flags = 0;
    std::array<std::uint8_t, 16> tx_info{};
    std::uint8_t tx_info_len = 0;
    std::array<std::uint8_t, 32> tx_info_flags{};
    std::uint8_t tx_info_flags_len = 0;

    // A view for the status builders; spans point into this entry.
    wire::HwsimMessage as_message() const;
  };

  // Remembers `tx` (which wire::wants_medium_ack accepted). When the ring is full the
  // oldest entry makes room and is returned, to be answered locally. No throws.
  std::optional<Entry> push(const wire::HwsimMessage& tx) noexcept;

  // Removes the entry for `cookie` and, before it, every older one, which `unanswered`
  // gets (the relay skipped them). Returns false, removing nothing, if no entry has it.
  template <typename F>
  bool settle(std::uint64_t cookie, F&& unanswered) {
    std::size_t at = 0;
    while (at < count_ && slots_[(head_ + at) % kCapacity].cookie != cookie) ++at;
    if (at == count_) return false;
    for (std::size_t i = 0; i < at; ++i) unanswered(pop_front());
    pop_front();
    return true;
  }

  // Removes every entry, oldest first, handing each to `each`.
  template <typename F>
  void drain(F&& each) {
    while (count_ > 0) each(pop_front());
  }

  std::size_t size() const noexcept { return count_; }

 private:
  Entry pop_front() noexcept;

  std::array<Entry, kCapacity> slots_{};
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

}  // namespace vmesh::agent
