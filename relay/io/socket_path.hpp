// Owns the file a Unix socket listener created: unlinks it when the owner goes, so a relay
// that exits leaves no socket file behind. Move-only.
#pragma once

#include <unistd.h>

#include <string>
#include <utility>

namespace vmesh::relay {

class SocketPath {
 public:
  SocketPath() = default;
  explicit SocketPath(std::string path) : path_(std::move(path)) {}
  ~SocketPath() { reset(); }
  SocketPath(SocketPath&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  SocketPath& operator=(SocketPath&& other) noexcept {
    if (this != &other) {
      reset();
      path_ = std::exchange(other.path_, {});
    }
    return *this;
  }
  SocketPath(const SocketPath&) = delete;
  SocketPath& operator=(const SocketPath&) = delete;

  // unlink(2) the file now (errors ignored: it may be gone already). No throws.
  void reset() noexcept {
    if (!path_.empty()) ::unlink(path_.c_str());
    path_.clear();
  }
  const std::string& path() const { return path_; }
  // Forgets the path without unlinking it: the file is someone else's now. No throws.
  void release() noexcept { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace vmesh::relay
