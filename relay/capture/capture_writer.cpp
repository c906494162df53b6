#include "relay/capture/capture_writer.hpp"

#include <chrono>
#include <cstring>

namespace vmesh::capture {

namespace {

struct RecordHeader {
  std::uint32_t total_bytes;
  std::uint16_t verdict_count;
  std::uint16_t frame_bytes;
  CaptureRecord record;
};

}  // namespace

CaptureWriter::CaptureWriter(std::string path, std::vector<std::string> interface_names,
                             std::vector<std::string> verdict_names, std::uint64_t max_file_bytes,
                             std::size_t buffer_bytes)
    : file_(std::move(path), interface_names, max_file_bytes),
      interface_names_(std::move(interface_names)),
      verdict_names_(std::move(verdict_names)),
      buffer_bytes_(buffer_bytes),
      thread_([this] { run(); }) {}

CaptureWriter::~CaptureWriter() {
  stop();
}

void CaptureWriter::submit(const CaptureRecord& record, std::span<const CaptureVerdict> verdicts,
                           std::span<const std::uint8_t> frame) noexcept {
  RecordHeader header{};
  header.verdict_count = static_cast<std::uint16_t>(verdicts.size());
  header.frame_bytes = static_cast<std::uint16_t>(std::min<std::size_t>(frame.size(), 0xffff));
  header.record = record;
  const std::size_t verdict_bytes = verdicts.size() * sizeof(CaptureVerdict);
  header.total_bytes =
      static_cast<std::uint32_t>(sizeof(header) + verdict_bytes + header.frame_bytes);

  std::lock_guard lock(mutex_);
  if (pending_.size() + header.total_bytes > buffer_bytes_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  try {
    const std::size_t at = pending_.size();
    pending_.resize(at + header.total_bytes);
    std::uint8_t* p = pending_.data() + at;
    std::memcpy(p, &header, sizeof(header));
    if (verdict_bytes > 0) std::memcpy(p + sizeof(header), verdicts.data(), verdict_bytes);
    std::memcpy(p + sizeof(header) + verdict_bytes, frame.data(), header.frame_bytes);
  } catch (...) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

void CaptureWriter::run() {
  std::vector<std::uint8_t> batch;
  for (;;) {
    bool last = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(1), [&] { return stopping_; });
      std::swap(batch, pending_);
      last = stopping_;
    }
    write_records(batch);
    batch.clear();
    if (last) break;
  }
  file_.flush();
}

void CaptureWriter::write_records(const std::vector<std::uint8_t>& records) {
  std::size_t at = 0;
  while (at + sizeof(RecordHeader) <= records.size()) {
    RecordHeader header;
    std::memcpy(&header, records.data() + at, sizeof(header));
    const std::uint8_t* verdict_at = records.data() + at + sizeof(header);
    const std::uint8_t* frame_at = verdict_at + header.verdict_count * sizeof(CaptureVerdict);
    const CaptureRecord& r = header.record;

    comment_.clear();
    if (!r.topology) {
      comment_ = "from id=" + std::to_string(r.peer_id) + ": delivered to " +
                 std::to_string(r.receiver_count);
    } else if (header.verdict_count == 0) {
      comment_ = "from id=" + std::to_string(r.peer_id) + " (no node): dropped";
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
    at += header.total_bytes;
  }
}

CaptureWriter::Totals CaptureWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  return {file_.packets(), dropped(), file_.rotations(), file_.failed()};
}

}  // namespace vmesh::capture
