#include "launcher/ssh/ssh_ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace vmesh::launcher {
namespace {

bool port_is_free(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool free = bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return free;
}

}  // namespace

std::vector<std::uint16_t> pick_ssh_ports(std::uint16_t base, std::size_t count,
                                          std::vector<std::string>& notes) {
  std::vector<std::uint16_t> ports;
  std::uint32_t candidate = base;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t wanted =
        std::max<std::uint32_t>(candidate, base + static_cast<std::uint32_t>(i));
    candidate = wanted;
    while (candidate < 65535 && !port_is_free(static_cast<std::uint16_t>(candidate))) ++candidate;
    if (candidate >= 65535)
      throw std::runtime_error(fmt::format("no free TCP port from {} up", base));
    if (candidate != wanted) {
      notes.push_back(
          fmt::format("SSH port {} is busy, node {} uses {}", wanted, i + 1, candidate));
    }
    ports.push_back(static_cast<std::uint16_t>(candidate));
    ++candidate;
  }
  return ports;
}

}  // namespace vmesh::launcher
