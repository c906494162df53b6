// The numbers one run of `vmesh-bench relay` produces, and their JSON line.
#pragma once

#include <cstdint>
#include <string>

#include "bench/loadgen/load_config.hpp"

namespace vmesh::bench {

struct LoadReport {
  LoadMode mode = LoadMode::throughput;
  std::string target;  // "host:port"
  std::uint32_t clients = 0;
  std::uint64_t frame_bytes = 0;    // 802.11 frame length
  std::uint64_t message_bytes = 0;  // whole vwifi message on the wire
  std::uint64_t batch = 0;          // messages per write
  std::uint64_t window_frames = 0;  // how far a sender may run ahead of its receivers
  double measured_s = 0;            // length of the measured window
  std::uint64_t frames_sent = 0;    // in the measured window, all clients
  std::uint64_t deliveries = 0;     // frames received by all clients in the window
  std::uint64_t bytes_received = 0;
  std::uint64_t client_deliveries_min = 0;
  std::uint64_t client_deliveries_max = 0;
  std::uint64_t latency_samples = 0;
  double latency_p50_us = 0;
  double latency_p90_us = 0;
  double latency_p99_us = 0;
  double latency_max_us = 0;
  std::uint64_t decode_errors = 0;  // malformed messages, foreign or self frames
  std::uint64_t disconnects = 0;    // clients the relay closed during the run
  std::uint64_t frames_lost = 0;    // sequence gaps after warm-up + never delivered at the end
  std::uint64_t frames_stale = 0;   // duplicates or reordered frames
  std::uint64_t connect_failures = 0;
  std::uint64_t window_stalls = 0;
  // CPU the generator's thread used during the measured window: near measured_s means the
  // generator, not the relay, was the limit.
  double generator_cpu_s = 0;  // times a sender was released after waiting too long

  double deliveries_per_s() const {
    return measured_s > 0 ? static_cast<double>(deliveries) / measured_s : 0;
  }
  double mb_per_s() const {
    return measured_s > 0 ? static_cast<double>(bytes_received) / measured_s / 1e6 : 0;
  }

  // One JSON object on one line, no newline.
  std::string to_json() const;
};

}  // namespace vmesh::bench
