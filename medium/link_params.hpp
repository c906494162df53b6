// Parameters of one directed link (sender -> receiver) and partial overrides of them.
#pragma once

#include <cstdint>
#include <optional>

namespace vmesh::medium {

inline constexpr int kDefaultSignalDbm = -50;
// The power byte range vwifi uses for the received signal.
inline constexpr int kMinSignalDbm = -128;
inline constexpr int kMaxSignalDbm = -10;

// Gilbert-Elliott two-state burst loss, stepped once per frame on the link.
struct BurstLoss {
  double enter_prob = 0.0;  // P(good -> bad) per frame
  double leave_prob = 1.0;  // P(bad -> good) per frame; mean burst length 1 / leave_prob
  double loss_good = 0.0;   // loss probability while good
  double loss_bad = 1.0;    // loss probability while bad

  friend bool operator==(const BurstLoss&, const BurstLoss&) = default;
};

struct LinkParams {
  double loss_prob = 0.0;       // independent loss per frame
  std::uint64_t delay_us = 0;   // base one-way delay
  std::uint64_t jitter_us = 0;  // uniform in [delay - jitter, delay + jitter]
  bool reorder = false;         // false: a frame never overtakes the previous one
  // Token bucket; rate_bps == 0 means unlimited. Frames beyond the bucket wait (queue)
  // and are dropped when they would wait longer than queue_us.
  std::uint64_t rate_bps = 0;
  std::uint64_t burst_bytes = 3000;
  std::uint64_t queue_us = 50'000;
  std::optional<BurstLoss> burst_loss;
  std::optional<int> signal_dbm;  // explicit signal; else path loss or the default

  friend bool operator==(const LinkParams&, const LinkParams&) = default;
};

// A partial LinkParams: only the fields given are applied.
struct LinkOverrides {
  std::optional<double> loss_prob;
  std::optional<std::uint64_t> delay_us;
  std::optional<std::uint64_t> jitter_us;
  std::optional<bool> reorder;
  std::optional<std::uint64_t> rate_bps;
  std::optional<std::uint64_t> burst_bytes;
  std::optional<std::uint64_t> queue_us;
  std::optional<BurstLoss> burst_loss;
  std::optional<int> signal_dbm;

  friend bool operator==(const LinkOverrides&, const LinkOverrides&) = default;
};

// base with every field set in `overrides` replaced. Does not throw.
LinkParams apply_overrides(LinkParams base, const LinkOverrides& overrides);

}  // namespace vmesh::medium
