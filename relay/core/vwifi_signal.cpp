#include "relay/core/vwifi_signal.hpp"

#include <algorithm>
#include <cmath>

namespace vmesh::relay {

double distance_m(const Coordinates& a, const Coordinates& b) noexcept {
  const double dx = static_cast<double>(a.x_m) - static_cast<double>(b.x_m);
  const double dy = static_cast<double>(a.y_m) - static_cast<double>(b.y_m);
  const double dz = static_cast<double>(a.z_m) - static_cast<double>(b.z_m);
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

int free_space_loss_db(double distance, std::uint32_t freq_mhz) noexcept {
  if (distance <= 0.0 || freq_mhz == 0) return 0;
  const double freq_ghz = freq_mhz / 1000.0;
  const double distance_km = distance / 1000.0;
  return static_cast<int>(92.45 + 20.0 * std::log10(freq_ghz) + 20.0 * std::log10(distance_km));
}

std::int8_t received_signal_dbm(std::int8_t tx_power_dbm, const Coordinates& from,
                                const Coordinates& to, double scale,
                                std::uint32_t freq_mhz) noexcept {
  const int loss_db = free_space_loss_db(distance_m(from, to) * scale, freq_mhz);
  return static_cast<std::int8_t>(std::clamp(tx_power_dbm - loss_db, kMinSignalDbm, kMaxSignalDbm));
}

bool vwifi_drops(std::int8_t signal_dbm, std::uint32_t uniform_0_52) noexcept {
  return static_cast<int>(uniform_0_52) + 40 <= -signal_dbm;
}

}  // namespace vmesh::relay
