#include "launcher/plan/boot_admission.hpp"

#include <sched.h>

#include <algorithm>

namespace vmesh::launcher {

std::size_t usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return static_cast<std::size_t>(std::max(1, CPU_COUNT(&set)));
}

std::size_t boots_at_once(std::optional<std::size_t> requested, std::size_t cpus,
                          std::size_t node_count) {
  const std::size_t wanted = requested.value_or(kBootsPerCpu * std::max<std::size_t>(cpus, 1));
  return std::clamp<std::size_t>(wanted, 1, std::max<std::size_t>(node_count, 1));
}

}  // namespace vmesh::launcher
