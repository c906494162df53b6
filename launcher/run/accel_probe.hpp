// Deciding between KVM and TCG by trying KVM, not by looking at /dev/kvm: some hosts have
// a /dev/kvm (PVM-only KVM) on which stock kernels abort or hang.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "launcher/plan/run_plan.hpp"

namespace vmesh::launcher {

struct AccelChoice {
  Accel accel = Accel::tcg;
  std::string reason;  // "VMESH_ACCEL=kvm", "KVM probe: no kernel output within 3 s", ...
};

// Boots the image's kernel under `-accel kvm -cpu host` with no init (it panics at once,
// and -no-reboot makes QEMU exit) and chooses KVM only if the console shows the panic
// within `timeout`. The answer is cached in `cache_file` per host kernel and image kernel,
// so a broken KVM costs the timeout once. Never throws; any failure means TCG.
AccelChoice probe_accel(const std::filesystem::path& image_dir,
                        const std::filesystem::path& work_dir,
                        const std::filesystem::path& cache_file, std::chrono::milliseconds timeout);

}  // namespace vmesh::launcher
