#include "launcher/run/accel_probe.hpp"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fmt/format.h>

#include "launcher/process/child_process.hpp"
#include "launcher/process/text_file.hpp"

namespace vmesh::launcher {
namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

AccelChoice try_kvm(const std::filesystem::path& image_dir, const std::filesystem::path& work_dir,
                    std::chrono::milliseconds timeout) {
  const int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return {Accel::tcg, "no usable /dev/kvm"};
  close(fd);
  const auto console = work_dir / "kvm-probe.log";
  const auto qemu_log = work_dir / "kvm-probe.qemu.log";
  std::filesystem::remove(console);
  SpawnOptions options;
  options.argv = {"qemu-system-x86_64",
                  "-nodefaults",
                  "-no-user-config",
                  "-display",
                  "none",
                  "-no-reboot",
                  "-machine",
                  "pc",
                  "-accel",
                  "kvm",
                  "-cpu",
                  "host",
                  "-smp",
                  "1",
                  "-m",
                  "128",
                  "-kernel",
                  (image_dir / "vmlinux").string(),
                  "-append",
                  "console=ttyS0 panic=-1 rdinit=/vmesh-probe init=/vmesh-probe",
                  "-serial",
                  "file:" + console.string()};
  options.stdout_to = qemu_log;
  options.stderr_to = qemu_log;
  try {
    auto qemu = ChildProcess::spawn(options);
    const auto code = qemu.wait_for(timeout);
    qemu.stop(std::chrono::milliseconds(500));
    const bool panicked = read_text_file(console).find("Kernel panic") != std::string::npos;
    if (panicked) return {Accel::kvm, "KVM probe: a kernel boots"};
    if (!code) {
      return {Accel::tcg, fmt::format("KVM probe: no kernel output within {} ms", timeout.count())};
    }
    const auto err = read_text_file(qemu_log);
    return {Accel::tcg, fmt::format("KVM probe: QEMU exited ({}): {}", *code,
                                    trimmed(err.substr(0, err.find('\n'))))};
  } catch (const std::exception& e) {
    return {Accel::tcg, fmt::format("KVM probe failed: {}", e.what())};
  }
}

}  // namespace

AccelChoice probe_accel(const std::filesystem::path& image_dir,
                        const std::filesystem::path& work_dir,
                        const std::filesystem::path& cache_file,
                        std::chrono::milliseconds timeout) {
  utsname host{};
  uname(&host);
  const std::string key =
      fmt::format("{} {}", host.release, trimmed(read_text_file(image_dir / "kernel-release")));
  const std::string cached = read_text_file(cache_file);
  if (const auto nl = cached.find('\n'); nl != std::string::npos && cached.substr(0, nl) == key) {
    const std::string rest = trimmed(cached.substr(nl + 1));
    const bool kvm = rest.starts_with("kvm");
    const auto space = rest.find(' ');
    return {kvm ? Accel::kvm : Accel::tcg,
            (space == std::string::npos ? std::string() : rest.substr(space + 1)) + " (cached)"};
  }
  const auto choice = try_kvm(image_dir, work_dir, timeout);
  try {
    std::filesystem::create_directories(cache_file.parent_path());
    write_file_atomic(
        cache_file,
        fmt::format("{}\n{} {}\n", key, choice.accel == Accel::kvm ? "kvm" : "tcg", choice.reason));
  } catch (const std::exception&) {
    // Not cached: the next run probes again.
  }
  return choice;
}

}  // namespace vmesh::launcher
