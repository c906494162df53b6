// A piped input kept for several readers (`vmesh exec --all`).
#include "launcher/process/replayable_input.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace vmesh::launcher {
namespace {

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  return text;
}

// A stream whose other end a thread fills with `text` and closes (a socket pair rather than
// a pipe: its writer gets EPIPE, not SIGPIPE, when the reader gives up first).
struct FilledPipe {
  explicit FilledPipe(std::string text) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) throw std::runtime_error("socketpair");
    read_end.reset(fds[0]);
    writer = std::thread([fd = fds[1], text = std::move(text)] {
      std::size_t done = 0;
      while (done < text.size()) {
        const ssize_t w = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
        if (w <= 0) break;
        done += static_cast<std::size_t>(w);
      }
      ::close(fd);
    });
  }
  ~FilledPipe() { writer.join(); }
  UniqueFd read_end;
  std::thread writer;
};

TEST(ReplayableInput, EveryReaderGetsTheWholeInput) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + "\n";  // beyond a pipe's buffer
  FilledPipe pipe(text);
  auto input = ReplayableInput::copy_of(pipe.read_end.get());
  EXPECT_EQ(input.size_bytes(), text.size());
  EXPECT_EQ(read_all(input.rewound_fd()), text);
  EXPECT_EQ(read_all(input.rewound_fd()), text);  // the second reader starts at the start too
}

TEST(ReplayableInput, EmptyInputIsAnImmediateEnd) {
  FilledPipe pipe("");
  auto input = ReplayableInput::copy_of(pipe.read_end.get());
  EXPECT_EQ(input.size_bytes(), 0u);
  EXPECT_EQ(read_all(input.rewound_fd()), "");
}

TEST(ReplayableInput, InputOverTheBoundIsRefusedNamingIt) {
  FilledPipe pipe(std::string(3u << 20, 'x'));
  try {
    ReplayableInput::copy_of(pipe.read_end.get(), 2u << 20);
    FAIL() << "3 MiB were kept under a 2 MiB bound";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("larger than 2 MiB"), std::string::npos) << e.what();
  }
  pipe.read_end.reset();  // the writer sees EPIPE instead of blocking on a full pipe
}

}  // namespace
}  // namespace vmesh::launcher
