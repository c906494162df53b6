#include "relay/io/jsonl_appender.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace vmesh::relay {

JsonlAppender::JsonlAppender(const std::string& path)
    : path_(path), fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {
  if (!fd_) throw std::system_error(errno, std::system_category(), "open " + path);
}

bool JsonlAppender::append(std::string_view line) {
  if (queued_.size() + line.size() + 1 > kMaxPendingBytes) {
    ++dropped_lines_;
    return false;
  }
  queued_.append(line);
  queued_ += '\n';
  return true;
}

void JsonlAppender::submit(Ring& ring, std::uint64_t user_data) {
  if (in_flight_) return;
  if (written_ >= writing_.size()) {
    if (queued_.empty()) return;
    writing_.clear();
    written_ = 0;
    std::swap(writing_, queued_);
  }
  // No free entry: tried again on the next interval.
  if (!ring.write(fd_.get(), writing_.data() + written_, writing_.size() - written_, user_data))
    return;
  in_flight_ = true;
}

void JsonlAppender::on_write_done(int res) {
  in_flight_ = false;
  if (res < 0) {
    last_error_ = -res;
    written_ = writing_.size();  // drop this batch; later lines may still make it
    return;
  }
  written_ += static_cast<std::size_t>(res);
}

void JsonlAppender::flush_blocking() {
  if (in_flight_) return;  // the kernel still owns writing_
  std::string rest = writing_.substr(std::min(written_, writing_.size())) + queued_;
  writing_.clear();
  queued_.clear();
  written_ = 0;
  std::size_t at = 0;
  while (at < rest.size()) {
    const ssize_t n = ::write(fd_.get(), rest.data() + at, rest.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      last_error_ = errno;
      return;
    }
    at += static_cast<std::size_t>(n);
  }
}

}  // namespace vmesh::relay
