// vwifi's default radio model: free-space path loss between coordinates set with
// vwifi-ctrl, and its optional global loss rule. Pure functions; randomness is passed in.
#pragma once

#include <cstdint>

namespace vmesh::relay {

struct Coordinates {
  std::int32_t x_m = 0;
  std::int32_t y_m = 0;
  std::int32_t z_m = 0;
  friend bool operator==(const Coordinates&, const Coordinates&) = default;
};

inline constexpr int kMinSignalDbm = -128;
inline constexpr int kMaxSignalDbm = -10;

// Euclidean distance in metres.
double distance_m(const Coordinates& a, const Coordinates& b) noexcept;

// FSPL(dB) = 92.45 + 20 log10(f_GHz) + 20 log10(d_km), truncated to whole dB as vwifi
// does; 0 when the distance is 0.
int free_space_loss_db(double distance_m, std::uint32_t freq_mhz) noexcept;

// The power byte a receiver gets: clamp(tx - FSPL(distance * scale), -128, -10).
std::int8_t received_signal_dbm(std::int8_t tx_power_dbm, const Coordinates& from,
                                const Coordinates& to, double scale,
                                std::uint32_t freq_mhz) noexcept;

// vwifi's loss rule: drop when uniform_0_52 + 40 <= -signal, i.e. never above -40 dBm and
// always at -92 dBm and below. `uniform_0_52` must be uniform in [0, 52].
bool vwifi_drops(std::int8_t signal_dbm, std::uint32_t uniform_0_52) noexcept;

}  // namespace vmesh::relay
