// Loss accounting by sequence numbers for every directed pair sender -> receiver, and the
// per-sender progress that paces senders (frames delivered or known lost so far).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vmesh::bench {

class SequenceTracker {
 public:
  // `clients` senders, each heard by every other client.
  explicit SequenceTracker(std::uint32_t clients);

  enum class Outcome : std::uint8_t {
    in_order,  // the expected next number
    gap,       // later than expected: the frames in between were lost
    stale,     // earlier than expected: duplicate or reordered (never on TCP)
  };

  // Records that `receiver` got frame `seq` from `sender`. A gap adds the skipped count to
  // lost() when `count_loss` (false during warm-up, so start-up effects are not counted).
  Outcome observe(std::uint32_t receiver, std::uint32_t sender, std::uint64_t seq,
                  bool count_loss) noexcept {
    std::uint64_t& expected = expected_[index(receiver, sender)];
    if (seq == expected) {
      ++expected;
      ++progress_[sender];
      return Outcome::in_order;
    }
    if (seq < expected) {
      ++stale_;
      return Outcome::stale;
    }
    const std::uint64_t advance = seq + 1 - expected;
    if (count_loss) lost_ += seq - expected;
    expected = seq + 1;
    progress_[sender] += advance;
    return Outcome::gap;
  }

  // Drops a receiver that disconnected: it no longer counts for progress or tail losses.
  void remove_receiver(std::uint32_t receiver);

  // Frames of `sender` that every live receiver has seen or known lost, summed over them.
  std::uint64_t progress(std::uint32_t sender) const noexcept { return progress_[sender]; }
  // Live receivers of `sender` (all other clients that did not disconnect).
  std::uint32_t live_receivers(std::uint32_t sender) const noexcept;

  // Next expected sequence number on one pair.
  std::uint64_t expected(std::uint32_t receiver, std::uint32_t sender) const noexcept {
    return expected_[index(receiver, sender)];
  }

  // Frames sent (sent[i] per sender) but never seen by a live receiver; call once senders
  // stopped and receivers drained. These are losses the gaps cannot show.
  std::uint64_t tail_lost(std::span<const std::uint64_t> sent) const noexcept;

  std::uint64_t lost() const noexcept { return lost_; }
  std::uint64_t stale() const noexcept { return stale_; }
  std::uint32_t clients() const noexcept { return clients_; }

 private:
  std::size_t index(std::uint32_t receiver, std::uint32_t sender) const noexcept {
    return std::size_t{receiver} * clients_ + sender;
  }

  std::uint32_t clients_;
  std::vector<std::uint64_t> expected_;  // [receiver][sender]
  std::vector<std::uint64_t> progress_;  // [sender]
  std::vector<bool> live_;               // [receiver]
  std::uint32_t live_count_;
  std::uint64_t lost_ = 0;
  std::uint64_t stale_ = 0;
};

}  // namespace vmesh::bench
