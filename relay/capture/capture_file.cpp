#include "relay/capture/capture_file.hpp"

#include <cerrno>
#include <cstdio>
#include <system_error>

namespace vmesh::capture {

CaptureFile::CaptureFile(std::string path, std::vector<std::string> interface_names,
                         std::uint64_t max_bytes)
    : path_(std::move(path)), interface_names_(std::move(interface_names)), max_bytes_(max_bytes) {
  open_new();
}

CaptureFile::~CaptureFile() {
  if (file_ != nullptr) std::fclose(file_);
}

void CaptureFile::open_new() {
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr)
    throw std::system_error(errno, std::system_category(), "cannot create capture " + path_);
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  block_.clear();
  append_section_header(block_, "vmesh-relay");
  for (const auto& name : interface_names_) append_interface(block_, name);
  bytes_ = std::fwrite(block_.data(), 1, block_.size(), file_);
}

void CaptureFile::write(const PacketInfo& info, std::span<const std::uint8_t> frame) noexcept {
  if (failed_) return;
  try {
    block_.clear();
    append_packet(block_, info, frame);
    if (bytes_ + block_.size() > max_bytes_) {
      std::fclose(file_);
      file_ = nullptr;
      std::rename(path_.c_str(), (path_ + ".1").c_str());
      ++rotations_;
      open_new();
      block_.clear();
      append_packet(block_, info, frame);
    }
    if (std::fwrite(block_.data(), 1, block_.size(), file_) != block_.size()) {
      failed_ = true;
      return;
    }
    bytes_ += block_.size();
    ++packets_;
  } catch (...) {
    failed_ = true;
  }
}

void CaptureFile::flush() noexcept {
  if (file_ != nullptr) std::fflush(file_);
}

}  // namespace vmesh::capture
