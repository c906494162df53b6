// relay_control_exchange against a Unix socket server made here: the relay's framing (one
// '\n'-terminated command, the reply read until the server closes), a missing socket and a
// server that never answers.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "launcher/control/relay_control.hpp"

namespace vmesh::launcher {
namespace {

using namespace std::chrono_literals;

// A listening Unix socket in a fresh directory; serve() answers one connection on a thread.
class ControlServer {
 public:
  ControlServer() {
    dir_ = std::filesystem::temp_directory_path() /
           ("vmesh-control-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count_));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "control.sock";
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 4) != 0) {
      ADD_FAILURE() << "cannot listen on " << path_ << ": " << std::strerror(errno);
    }
  }
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  ~ControlServer() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
    std::filesystem::remove_all(dir_);
  }

  const std::filesystem::path& path() const { return path_; }

  // Accepts one connection, reads up to the first '\n' into received(), then hands the
  // connection to `answer` and closes it.
  void serve(std::function<void(int)> answer) {
    thread_ = std::thread([this, answer = std::move(answer)] {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      char c = 0;
      while (::read(client, &c, 1) == 1) {
        received_ += c;
        if (c == '\n') break;
      }
      answer(client);
      ::close(client);
    });
  }
  // The command as the server read it; valid once the exchange returned.
  std::string received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  static inline int count_ = 0;
  std::filesystem::path dir_;
  std::filesystem::path path_;
  int fd_ = -1;
  std::thread thread_;
  std::string received_;
};

void send_text(int fd, const std::string& text) {
  ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
}

TEST(RelayControlSocket, SendsOneLineAndReadsTheReplyUntilClose) {
  ControlServer server;
  server.serve([](int fd) {
    send_text(fd, "n1->n2: loss 0.3\n");
    std::this_thread::sleep_for(20ms);  // a reply in two pieces
    send_text(fd, "ok\n");
  });
  EXPECT_EQ(relay_control_exchange(server.path(), "link set n1 n2 loss=0.3\n"),
            "n1->n2: loss 0.3\nok\n");
  EXPECT_EQ(server.received(), "link set n1 n2 loss=0.3\n");
}

TEST(RelayControlSocket, AnEmptyReplyIsAReply) {
  ControlServer server;
  server.serve([](int) {});
  EXPECT_EQ(relay_control_exchange(server.path(), "stats\n"), "");
}

TEST(RelayControlSocket, NoSuchSocket) {
  const auto missing = std::filesystem::temp_directory_path() / "vmesh-no-such-dir" / "x.sock";
  EXPECT_FALSE(relay_control_exchange(missing, "stats\n"));
  EXPECT_FALSE(relay_control_exchange("", "stats\n"));
  EXPECT_FALSE(relay_control_exchange("/tmp/" + std::string(200, 'x'), "stats\n"))
      << "a path longer than sockaddr_un holds";
}

TEST(RelayControlSocket, NoAnswerWithinTheTimeout) {
  ControlServer server;
  server.serve([](int fd) {
    send_text(fd, "partial");  // never completed: the connection stays open
    std::this_thread::sleep_for(1500ms);
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(relay_control_exchange(server.path(), "stats\n", 300));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 1200ms) << "waited past the timeout";
}

}  // namespace
}  // namespace vmesh::launcher
