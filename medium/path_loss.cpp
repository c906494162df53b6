#include "medium/path_loss.hpp"

#include <algorithm>
#include <cmath>

namespace vmesh::medium {

namespace {
constexpr double kMinDistanceM = 0.1;
}  // namespace

double distance_m(const Position& a, const Position& b) {
  const double dx = a.x_m - b.x_m;
  const double dy = a.y_m - b.y_m;
  const double dz = a.z_m - b.z_m;
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

double free_space_loss_db(double distance, double freq_mhz) {
  return 20.0 * std::log10(std::max(distance, kMinDistanceM)) + 20.0 * std::log10(freq_mhz) - 27.55;
}

double log_distance_loss_db(double distance, double freq_mhz, double exponent, double reference_m) {
  if (distance <= reference_m) return free_space_loss_db(distance, freq_mhz);
  return free_space_loss_db(reference_m, freq_mhz) +
         10.0 * exponent * std::log10(distance / reference_m);
}

double path_loss_db(const MediumSpec& medium, double distance, double freq_mhz) {
  switch (medium.path_loss) {
    case PathLossModel::none:
      return 0.0;
    case PathLossModel::free_space:
      return free_space_loss_db(distance, freq_mhz);
    case PathLossModel::log_distance:
      return log_distance_loss_db(distance, freq_mhz, medium.path_loss_exponent,
                                  medium.reference_distance_m);
  }
  return 0.0;
}

std::int8_t clamp_signal_dbm(double signal_dbm) {
  const double clamped =
      std::clamp(std::round(signal_dbm), double{kMinSignalDbm}, double{kMaxSignalDbm});
  return static_cast<std::int8_t>(clamped);
}

}  // namespace vmesh::medium
