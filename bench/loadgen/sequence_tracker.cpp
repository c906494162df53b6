#include "bench/loadgen/sequence_tracker.hpp"

namespace vmesh::bench {

SequenceTracker::SequenceTracker(std::uint32_t clients)
    : clients_(clients),
      expected_(std::size_t{clients} * clients, 0),
      progress_(clients, 0),
      live_(clients, true),
      live_count_(clients) {}

void SequenceTracker::remove_receiver(std::uint32_t receiver) {
  if (receiver >= clients_ || !live_[receiver]) return;
  live_[receiver] = false;
  --live_count_;
  for (std::uint32_t sender = 0; sender < clients_; ++sender) {
    progress_[sender] -= expected_[index(receiver, sender)];
  }
}

std::uint32_t SequenceTracker::live_receivers(std::uint32_t sender) const noexcept {
  return live_count_ - (sender < clients_ && live_[sender] ? 1u : 0u);
}

std::uint64_t SequenceTracker::tail_lost(std::span<const std::uint64_t> sent) const noexcept {
  std::uint64_t lost = 0;
  for (std::uint32_t receiver = 0; receiver < clients_; ++receiver) {
    if (!live_[receiver]) continue;
    for (std::uint32_t sender = 0; sender < clients_ && sender < sent.size(); ++sender) {
      if (sender == receiver) continue;
      const std::uint64_t seen = expected_[index(receiver, sender)];
      if (sent[sender] > seen) lost += sent[sender] - seen;
    }
  }
  return lost;
}

}  // namespace vmesh::bench
