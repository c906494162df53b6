// MeshRun: which QEMU runs the vmesh guests. Only the vhost-user transport cares: it needs
// vhost-user-test-device-pci (QEMU >= 10.2); when the host's QEMU lacks it, the cached
// Debian 13 root of build-qemu-root.sh provides one.
#include <stdexcept>

#include <fmt/format.h>

#include "launcher/process/elapsed.hpp"
#include "launcher/process/interrupt.hpp"
#include "launcher/process/text_file.hpp"
#include "launcher/run/mesh_run.hpp"
#include "launcher/run/qemu_probe.hpp"
#include "launcher/run/wait_helper.hpp"

namespace vmesh::launcher {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kProbeTimeout{20000};

std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

// Bytes of the regular files under `dir` (symbolic links not followed: the root links to
// itself for QEMU's bundle lookup).
std::uintmax_t tree_bytes(const std::filesystem::path& dir) {
  std::uintmax_t bytes = 0;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error) && !it->is_symlink(error)) bytes += it->file_size(error);
  }
  return bytes;
}

}  // namespace

void MeshRun::choose_qemu() {
  const std::string host_qemu = "qemu-system-x86_64";
  const QemuProbe host = probe_qemu(host_qemu, kVhostUserDevice, setup_.run_dir, kProbeTimeout);
  // The relay's socket chardevs (serial transport, firmware images) are spelled for it.
  host_qemu_reconnect_ms_ = takes_reconnect_ms(host.version);
  if (setup_.relay_transport != RelayTransport::vhost_user || !has_vmesh_guest()) return;
  if (host.has_device) {
    guest_qemu_ = host_qemu;
    fmt::print(stderr, "vmesh: vhost-user: the host's QEMU {} has {}\n", host.version,
               kVhostUserDevice);
    return;
  }
  const std::string host_says =
      host.runs ? fmt::format("host has {}", host.version.empty() ? "an older one" : host.version)
                : "host has no qemu-system-x86_64";
  const auto script = setup_.tools.image_scripts / "build-qemu-root.sh";
  progress_.phase(
      fmt::format("vhost-user needs QEMU >= 10.2 ({}): using or building the cached Debian 13 QEMU "
                  "({}; a first build downloads about 35 MB)",
                  host_says, script.filename().string()));
  const auto start = Clock::now();
  const auto out = setup_.run_dir / "qemu-root.path";
  const auto log = setup_.run_dir / "qemu-root.log";
  SpawnOptions options;
  options.argv = {"bash", script.string()};
  options.stdout_to = out;
  options.stderr_to = log;
  options.die_with_parent = !setup_.detached;
  try {
    auto child = ChildProcess::spawn(options);
    wait_helper(child, script.filename().string(), setup_.deadline, log);
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format(
        "the vhost-user transport needs QEMU >= 10.2 with {} ({}), and the cached Debian 13 "
        "QEMU could not be built (it needs a Debian mirror serving trixie-backports and "
        "debian-archive-keyring; see docs/qemu-vhost-user.md): {}",
        kVhostUserDevice, host_says, e.what()));
  }
  const std::filesystem::path wrapper = last_line(read_text_file(out));
  if (wrapper.empty() || !std::filesystem::exists(wrapper)) {
    throw std::runtime_error(fmt::format("{} printed '{}', not a QEMU wrapper; {}",
                                         script.filename().string(), wrapper.string(),
                                         log.string()));
  }
  guest_qemu_ = wrapper.string();
  const auto root = wrapper.parent_path();
  const bool cache_hit = read_text_file(log).find("cache hit") != std::string::npos;
  fmt::print(stderr, "vmesh: vhost-user: QEMU {} from {} ({} in {:.1f} s, {} MB)\n",
             qemu_version_of(read_text_file(root / "qemu-version")), root.string(),
             cache_hit ? "cached" : "built", seconds_since(start),
             tree_bytes(root) / (1024 * 1024));
}

}  // namespace vmesh::launcher
