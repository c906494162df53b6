#include "relay/capture/capture_writer.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace vmesh::capture {

namespace {

struct RecordHeader {
  std::uint16_t verdict_count;
  std::uint16_t frame_bytes;
  std::uint32_t drops_before;  // records lost to a full ring just before this one
  CaptureRecord record;
};

// Lowest CFS priority for the calling thread only (on Linux, nice is per thread), so the
// event loop wins the CPU whenever both want it.
void yield_cpu_to_forwarding() {
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
}

}  // namespace

CaptureWriter::CaptureWriter(std::string path, std::vector<std::string> interface_names,
                             std::vector<std::string> verdict_names, std::uint64_t max_file_bytes,
                             std::size_t buffer_bytes)
    : file_(std::move(path), interface_names, max_file_bytes),
      interface_names_(std::move(interface_names)),
      verdict_names_(std::move(verdict_names)),
      ring_(buffer_bytes),
      thread_([this] { run(); }) {}

CaptureWriter::~CaptureWriter() {
  stop();
}

void CaptureWriter::submit(const CaptureRecord& record, std::span<const CaptureVerdict> verdicts,
                           std::span<const std::uint8_t> frame) noexcept {
  const std::size_t frame_bytes = std::min<std::size_t>(frame.size(), 0xffff);
  const std::size_t verdict_bytes = verdicts.size() * sizeof(CaptureVerdict);
  const auto slot = ring_.reserve(sizeof(RecordHeader) + verdict_bytes + frame_bytes);
  if (slot.empty()) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    ++drops_since_last_record_;
    return;
  }
  RecordHeader header{};
  header.verdict_count = static_cast<std::uint16_t>(verdicts.size());
  header.frame_bytes = static_cast<std::uint16_t>(frame_bytes);
  header.drops_before =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(drops_since_last_record_, 0xffffffffu));
  header.record = record;
  std::uint8_t* p = slot.data();
  std::memcpy(p, &header, sizeof(header));
  if (verdict_bytes > 0) std::memcpy(p + sizeof(header), verdicts.data(), verdict_bytes);
  std::memcpy(p + sizeof(header) + verdict_bytes, frame.data(), frame_bytes);
  ring_.commit();
  drops_since_last_record_ = 0;
}

void CaptureWriter::run() {
  yield_cpu_to_forwarding();
  const auto write = [this](std::span<const std::uint8_t> record) { write_record(record); };
  for (;;) {
    const bool last = stopping_.load(std::memory_order_acquire);
    if (ring_.drain(write) == 0) {
      if (last) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  file_.flush();
}

void CaptureWriter::write_record(std::span<const std::uint8_t> bytes) {
  RecordHeader header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  const std::uint8_t* verdict_at = bytes.data() + sizeof(header);
  const std::uint8_t* frame_at = verdict_at + header.verdict_count * sizeof(CaptureVerdict);
  const CaptureRecord& r = header.record;

  comment_.clear();
  if (header.drops_before > 0) {
    comment_ = "[" + std::to_string(header.drops_before) +
               " frames before this one not captured: capture writer behind] ";
  }
  if (!r.topology) {
    comment_ += "from id=" + std::to_string(r.peer_id) + ": delivered to " +
                std::to_string(r.receiver_count);
  } else if (header.verdict_count == 0) {
    comment_ += "from id=" + std::to_string(r.peer_id) + " (no node): dropped";
  }
  for (std::uint16_t i = 0; i < header.verdict_count; ++i) {
    CaptureVerdict v;
    std::memcpy(&v, verdict_at + i * sizeof(CaptureVerdict), sizeof(v));
    if (i > 0) comment_ += "; ";
    comment_ += v.receiver < interface_names_.size() ? interface_names_[v.receiver] : "?";
    comment_ += ": ";
    comment_ += v.verdict < verdict_names_.size() ? verdict_names_[v.verdict] : "?";
    if (v.verdict == 0) {
      comment_ += " delay=" + std::to_string(v.delay_us) +
                  "us signal=" + std::to_string(v.signal_dbm) + "dBm";
    }
  }
  PacketInfo info;
  info.interface_id = r.interface_id;
  info.timestamp_us = r.timestamp_us;
  info.freq_mhz = r.freq_mhz;
  info.signal_dbm = r.signal_dbm;
  info.comment = comment_;
  file_.write(info, {frame_at, header.frame_bytes});
}

CaptureWriter::Totals CaptureWriter::stop() {
  stopping_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
  return {file_.packets(), dropped(), file_.rotations(), file_.failed()};
}

}  // namespace vmesh::capture
