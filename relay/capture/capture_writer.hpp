// Captures off the relay's hot path: the event loop copies compact records into a
// lock-free ring (RecordRing); a writer thread drains it, formats the verdict comments and
// writes pcapng through CaptureFile. The writer runs at the lowest CPU priority, so when
// forwarding needs the whole CPU, capture is what gives way: records that find the ring
// full are dropped, counted, and announced in the comment of the next packet captured.
// The relay never waits for the writer or the disk.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "relay/capture/capture_file.hpp"
#include "relay/capture/record_ring.hpp"

namespace vmesh::capture {

// One receiver's fate, for the packet comment.
struct CaptureVerdict {
  std::uint16_t receiver = 0;  // index into the interface names
  std::uint8_t verdict = 0;    // index into the verdict names; 0 means delivered
  std::int8_t signal_dbm = 0;
  std::uint32_t delay_us = 0;
};

struct CaptureRecord {
  std::uint32_t interface_id = 0;
  std::uint64_t timestamp_us = 0;
  std::uint16_t freq_mhz = 0;
  std::int8_t signal_dbm = 0;
  std::uint32_t peer_id = 0;         // the sender's vwifi id
  std::uint32_t receiver_count = 0;  // vwifi medium: how many got it
  bool topology = false;             // verdicts describe the receivers
};

class CaptureWriter {
 public:
  // Opens the capture (throws std::system_error like CaptureFile) and starts the thread.
  CaptureWriter(std::string path, std::vector<std::string> interface_names,
                std::vector<std::string> verdict_names, std::uint64_t max_file_bytes,
                std::size_t buffer_bytes = 64u << 20);
  ~CaptureWriter();  // writes what is buffered, flushes, joins
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // Called by the event loop. Never blocks on I/O, never throws.
  void submit(const CaptureRecord& record, std::span<const CaptureVerdict> verdicts,
              std::span<const std::uint8_t> frame) noexcept;

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  // Valid after destruction started; for the exit log, read through stop().
  struct Totals {
    std::uint64_t packets = 0;
    std::uint64_t dropped = 0;
    std::uint32_t rotations = 0;
    bool failed = false;
  };
  // Stops the thread after writing everything buffered; idempotent.
  Totals stop();

 private:
  void run();
  void write_record(std::span<const std::uint8_t> record);

  CaptureFile file_;
  std::vector<std::string> interface_names_;
  std::vector<std::string> verdict_names_;
  RecordRing ring_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> dropped_{0};
  std::uint64_t drops_since_last_record_ = 0;  // event loop only
  std::string comment_;                        // writer thread only
  std::thread thread_;
};

}  // namespace vmesh::capture
