// relay_control_exchange against a real vmesh-relay with a topology.
#include "launcher/relay_control.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace vmesh::launcher {
namespace {

TEST(RelayControl, LinkSetReachesTheRelay) {
  const std::string dir = ::testing::TempDir();
  const std::string ports = dir + "relay-control-ports.json";
  std::remove(ports.c_str());
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(VMESH_RELAY_BIN, VMESH_RELAY_BIN, "--ports-base", "0", "--no-vsock", "--topology",
            VMESH_TOPOLOGIES_DIR "/line3.toml", "--ports-file", ports.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string json;
  for (int i = 0; i < 500 && json.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream in(ports);
    std::stringstream ss;
    ss << in.rdbuf();
    json = ss.str();
  }
  std::smatch m;
  ASSERT_TRUE(std::regex_search(json, m, std::regex("\"control\":([0-9]+)"))) << json;
  const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));

  EXPECT_EQ(relay_control_exchange(port, "link set n1 n2 loss=0.3\n"), "ok\n");
  const auto error = relay_control_exchange(port, "link set n1 n9 loss=0.3\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, "error: unknown node 'n9'\n");

  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_FALSE(relay_control_exchange(port, "stats\n")) << "answered after the relay stopped";
}

}  // namespace
}  // namespace vmesh::launcher
