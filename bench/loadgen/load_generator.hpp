// The engine of `vmesh-bench relay`: one thread drives every client's socket with epoll.
// Senders write batches of stamped frames, paced by a window against what their receivers
// got; receivers parse the byte stream with wire::decode_message in place (no per-frame
// allocation), count deliveries, losses by sequence gaps and one-way latency.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "bench/loadgen/frame_batch.hpp"
#include "bench/loadgen/latency_histogram.hpp"
#include "bench/loadgen/load_config.hpp"
#include "bench/loadgen/load_report.hpp"
#include "bench/loadgen/sequence_tracker.hpp"

namespace vmesh::bench {

class LoadGenerator {
 public:
  // Validates nothing network-related yet; throws std::invalid_argument for a bad config.
  explicit LoadGenerator(LoadConfig config);
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Connects every client and runs warm-up, the measured window and the drain; returns
  // the numbers. If any client cannot connect, returns at once with connect_failures set
  // and connect_error() saying why. Throws std::system_error if epoll cannot be set up.
  LoadReport run();

  // Why the first client failed to connect, empty if none did.
  const std::string& connect_error() const noexcept { return connect_error_; }

 private:
  struct Client;

  bool try_send(Client& client, std::uint64_t now_ns);
  bool flush(Client& client);
  void on_readable(Client& client);
  void on_message(Client& client, std::span<const std::uint8_t> message, std::uint64_t now_ns);
  void drop(Client& client);
  bool all_delivered() const;
  void set_write_interest(Client& client, bool want);

  LoadConfig config_;
  std::string connect_error_;
  UniqueFd epoll_;
  std::vector<std::unique_ptr<Client>> clients_;
  SequenceTracker tracker_;
  LatencyHistogram latency_;
  LoadReport report_;
  std::uint64_t warm_end_ns_ = 0;
  std::uint64_t measure_end_ns_ = 0;
  std::uint64_t window_frames_ = 0;
  std::uint64_t period_ns_ = 0;  // latency mode: time between two frames of one client
  bool sending_ = true;
};

// CLOCK_MONOTONIC in nanoseconds, the clock of the send stamps.
std::uint64_t monotonic_ns() noexcept;

}  // namespace vmesh::bench
