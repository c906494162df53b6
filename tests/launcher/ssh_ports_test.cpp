// Picking host SSH ports: consecutive from the base, a busy one skipped and reported.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "launcher/ssh/ssh_ports.hpp"

namespace vmesh::launcher {
namespace {

// Listens on 127.0.0.1:port; -1 if the port cannot be taken.
int occupy(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 1) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST(SshPorts, BusyPortIsSkippedAndSaid) {
  // Find a base with three free ports in a row, then occupy the middle one.
  for (std::uint16_t base = 41000; base < 42000; base = static_cast<std::uint16_t>(base + 10)) {
    std::vector<std::string> notes;
    const auto free_ports = pick_ssh_ports(base, 4, notes);
    if (!notes.empty() || free_ports.back() != base + 3) continue;
    const int busy = occupy(static_cast<std::uint16_t>(base + 1));
    ASSERT_GE(busy, 0);
    notes.clear();
    const auto ports = pick_ssh_ports(base, 3, notes);
    close(busy);
    EXPECT_EQ(ports, (std::vector<std::uint16_t>{base, static_cast<std::uint16_t>(base + 2),
                                                 static_cast<std::uint16_t>(base + 3)}));
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find(std::to_string(base + 1) + " is busy"), std::string::npos) << notes[0];
    return;
  }
  GTEST_SKIP() << "no run of free ports found in 41000-42000";
}

}  // namespace
}  // namespace vmesh::launcher
