// What a run needs from the machine, checked before anything starts: guest memory against
// the memory the machine has available, file descriptors, the SSH port range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "launcher/scenario/scenario.hpp"

namespace vmesh::launcher {

inline constexpr std::uint32_t kDefaultGuestMemoryMb = 256;

struct HostLimits {
  std::optional<std::uint64_t> mem_available_mib;  // MemAvailable of /proc/meminfo
  std::uint64_t open_files = 1024;                 // RLIMIT_NOFILE (soft)
};

// MemAvailable and RLIMIT_NOFILE of this machine (nullopt memory: /proc/meminfo unreadable).
HostLimits read_host_limits();

// File descriptors vmesh holds per node (SSH session, QEMU pipes and logs) and for itself.
inline constexpr std::uint64_t kFilesPerNode = 8;
inline constexpr std::uint64_t kFilesBase = 64;

// Throws std::invalid_argument naming both numbers when the first `node_count` nodes of
// `scenario` need more guest memory than `limits` has available, more file descriptors
// than RLIMIT_NOFILE allows, or SSH ports past 65535 from `ssh_base_port`. A node's memory:
// its memory_mb, else its firmware image's (`images`, one per node or empty), else 256.
void check_host_limits(const Scenario& scenario, std::size_t node_count,
                       std::uint16_t ssh_base_port, const HostLimits& limits,
                       const std::vector<std::optional<ImageSpec>>& images = {});

}  // namespace vmesh::launcher
