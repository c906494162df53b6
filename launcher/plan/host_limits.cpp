#include "launcher/plan/host_limits.hpp"

#include <sys/resource.h>

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace vmesh::launcher {

HostLimits read_host_limits() {
  HostLimits limits;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") {
      limits.mem_available_mib = kib / 1024;
      break;
    }
  }
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) limits.open_files = files.rlim_cur;
  return limits;
}

void check_host_limits(const Scenario& scenario, std::size_t node_count,
                       std::uint16_t ssh_base_port, const HostLimits& limits,
                       const std::vector<std::optional<ImageSpec>>& images) {
  std::uint64_t guest_mib = 0;
  std::uint32_t largest_mib = 0;
  for (std::size_t i = 0; i < node_count && i < scenario.nodes.size(); ++i) {
    const std::uint32_t image_mib = i < images.size() && images[i]
                                        ? images[i]->memory_mb.value_or(kDefaultGuestMemoryMb)
                                        : kDefaultGuestMemoryMb;
    const std::uint32_t mib = scenario.nodes[i].memory_mb.value_or(image_mib);
    guest_mib += mib;
    largest_mib = std::max(largest_mib, mib);
  }
  if (limits.mem_available_mib && guest_mib > *limits.mem_available_mib) {
    throw std::invalid_argument(fmt::format(
        "{} nodes need {} MiB of guest memory (up to {} MiB each), but this machine has {} MiB "
        "available (MemAvailable in /proc/meminfo); start fewer nodes (--nodes, "
        "VIRTUAL_MESH_NODES) or give them less memory (memory_mb)",
        node_count, guest_mib, largest_mib, *limits.mem_available_mib));
  }
  const std::uint64_t files = kFilesBase + kFilesPerNode * node_count;
  if (files > limits.open_files) {
    throw std::invalid_argument(fmt::format(
        "{} nodes need about {} open files, but the limit is {} (ulimit -n); raise it or start "
        "fewer nodes",
        node_count, files, limits.open_files));
  }
  if (static_cast<std::uint64_t>(ssh_base_port) + node_count - 1 > 65535) {
    throw std::invalid_argument(fmt::format(
        "{} nodes need SSH ports {}-{}, past 65535; lower VIRTUAL_MESH_SSH_BASE_PORT", node_count,
        ssh_base_port, static_cast<std::uint64_t>(ssh_base_port) + node_count - 1));
  }
}

}  // namespace vmesh::launcher
