// How many VMs boot at once. A booting guest keeps one host CPU busy under emulation; with
// many more boots than CPUs every vCPU starves, and the guest kernel's boot-time checks
// (the IO-APIC timer check above all) give up and panic. Booted, idle nodes cost little,
// so the rest of a large mesh starts as earlier nodes reach SSH.
#pragma once

#include <cstddef>
#include <optional>

namespace vmesh::launcher {

// Boots per usable CPU when nothing else says. Measured on 2 CPUs with 20 nodes of the
// default guest: 4 at once reached SSH in 329 s, all 20 at once in 203 s (idle booted nodes
// cost ~8 % of a CPU each, so a slow trickle of boots costs more than it saves); 4 per CPU
// keeps most of that speed while leaving each booting vCPU a fair share.
inline constexpr std::size_t kBootsPerCpu = 4;

// The CPUs this process may run on (sched_getaffinity; 1 when it cannot be read).
std::size_t usable_cpus();

// `requested` (VMESH_BOOT_PARALLEL) when given, else kBootsPerCpu × cpus; never below 1,
// never above node_count.
std::size_t boots_at_once(std::optional<std::size_t> requested, std::size_t cpus,
                          std::size_t node_count);

}  // namespace vmesh::launcher
