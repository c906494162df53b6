// Path-loss models: received signal from transmit power, distance and frequency.
#pragma once

#include <cstdint>

#include "medium/topology.hpp"

namespace vmesh::medium {

// Distance between two positions [m].
double distance_m(const Position& a, const Position& b);

// Free-space path loss [dB] at distance_m [m] and freq_mhz [MHz]:
// 20 log10(d) + 20 log10(f) - 27.55. Distances below 0.1 m count as 0.1 m.
double free_space_loss_db(double distance_m, double freq_mhz);

// Log-distance path loss [dB]: free-space loss at the reference distance plus
// 10 n log10(d / d0) beyond it (free space below it).
double log_distance_loss_db(double distance_m, double freq_mhz, double exponent,
                            double reference_m);

// Path loss for the medium's model; 0 for PathLossModel::none.
double path_loss_db(const MediumSpec& medium, double distance_m, double freq_mhz);

// Clamps a signal to the power-byte range [-128, -10] dBm, as vwifi does.
std::int8_t clamp_signal_dbm(double signal_dbm);

}  // namespace vmesh::medium
