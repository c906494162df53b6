// relay_control_exchange against a real vmesh-relay with a topology, over its control
// socket.
#include "launcher/control/relay_control.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace vmesh::launcher {
namespace {

TEST(RelayControl, LinkSetReachesTheRelay) {
  std::string dir = ::testing::TempDir() + "vmesh-relay-control-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string ports = dir + "/relay-control-ports.json";
  const std::string socket = dir + "/relay-control.sock";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(VMESH_RELAY_BIN, VMESH_RELAY_BIN, "--ports-base", "0", "--no-vsock", "--topology",
            VMESH_TOPOLOGIES_DIR "/line3.toml", "--ports-file", ports.c_str(), "--control-socket",
            socket.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string json;
  for (int i = 0; i < 500 && json.empty(); ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) FAIL() << "vmesh-relay exited at start";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream in(ports);
    std::stringstream ss;
    ss << in.rdbuf();
    json = ss.str();
  }
  ASSERT_FALSE(json.empty()) << "no ports file";

  EXPECT_EQ(relay_control_exchange(socket, "link set n1 n2 loss=0.3\n"), "ok\n");
  const auto error = relay_control_exchange(socket, "link set n1 n9 loss=0.3\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, "error: unknown node 'n9'\n");

  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_FALSE(relay_control_exchange(socket, "stats\n")) << "answered after the relay stopped";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vmesh::launcher
