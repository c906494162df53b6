// A pcapng capture on disk with a size cap: past `max_bytes` the file is renamed to
// FILE.1 (replacing an older one) and a new file starts, so a long run cannot fill the
// disk (at most about twice max_bytes). Writes are buffered; flush() on shutdown.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "relay/capture/pcapng.hpp"

namespace vmesh::capture {

class CaptureFile {
 public:
  // Opens `path` and writes the headers with one interface per name. Throws
  // std::system_error naming the path when it cannot be created.
  CaptureFile(std::string path, std::vector<std::string> interface_names, std::uint64_t max_bytes);
  ~CaptureFile();
  CaptureFile(const CaptureFile&) = delete;
  CaptureFile& operator=(const CaptureFile&) = delete;

  // Appends one packet; rotates first when the cap would be passed. Never throws; a
  // write error is remembered (see failed()) and later packets are skipped.
  void write(const PacketInfo& info, std::span<const std::uint8_t> frame) noexcept;
  void flush() noexcept;

  bool failed() const { return failed_; }
  std::uint64_t packets() const { return packets_; }
  std::uint32_t rotations() const { return rotations_; }

 private:
  void open_new();

  std::string path_;
  std::vector<std::string> interface_names_;
  std::uint64_t max_bytes_;
  std::FILE* file_ = nullptr;
  std::uint64_t bytes_ = 0;
  std::uint64_t packets_ = 0;
  std::uint32_t rotations_ = 0;
  bool failed_ = false;
  std::vector<std::uint8_t> block_;
};

}  // namespace vmesh::capture
