#include "launcher/process/replayable_input.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace vmesh::launcher {

ReplayableInput ReplayableInput::copy_of(int fd, std::size_t max_bytes) {
  UniqueFd copy(::memfd_create("vmesh-input", MFD_CLOEXEC));
  if (!copy) throw std::runtime_error(fmt::format("memfd_create: {}", std::strerror(errno)));
  char buffer[64 * 1024];
  std::size_t total = 0;
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(fmt::format("reading the input: {}", std::strerror(errno)));
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
    if (total > max_bytes) {
      throw std::runtime_error(
          fmt::format("the piped input is larger than {} MiB; copy a file to the nodes instead",
                      max_bytes >> 20));
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(copy.get(), buffer + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0)
        throw std::runtime_error(fmt::format("keeping the input: {}", std::strerror(errno)));
      done += w;
    }
  }
  return ReplayableInput(std::move(copy), total);
}

int ReplayableInput::rewound_fd() {
  if (::lseek(fd_.get(), 0, SEEK_SET) < 0)
    throw std::runtime_error(fmt::format("rewinding the input: {}", std::strerror(errno)));
  return fd_.get();
}

}  // namespace vmesh::launcher
