#include "launcher/run/qemu_probe.hpp"

#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "launcher/process/child_process.hpp"
#include "launcher/process/text_file.hpp"

namespace vmesh::launcher {
namespace {

// The standard output of `qemu args...`, or nullopt when it cannot run or fails.
std::optional<std::string> qemu_output(const std::string& qemu, std::vector<std::string> args,
                                       const std::filesystem::path& out,
                                       std::chrono::milliseconds timeout) {
  SpawnOptions options;
  options.argv = {qemu};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.stdout_to = out;
  options.stderr_to = out.string() + ".err";
  try {
    auto child = ChildProcess::spawn(options);
    const auto code = child.wait_for(timeout);
    if (!code) child.stop(std::chrono::milliseconds(500));
    if (code != 0) return std::nullopt;
    return read_text_file(out);
  } catch (const std::exception&) {
    return std::nullopt;  // not installed, or not executable
  }
}

}  // namespace

bool device_help_lists(std::string_view device_help, std::string_view device) {
  return device_help.find(fmt::format("name \"{}\"", device)) != std::string_view::npos;
}

std::string qemu_version_of(std::string_view version_output) {
  constexpr std::string_view kMarker = "version ";
  const auto at = version_output.find(kMarker);
  if (at == std::string_view::npos) return {};
  const auto start = at + kMarker.size();
  auto end = start;
  while (end < version_output.size() &&
         (std::isdigit(static_cast<unsigned char>(version_output[end])) != 0 ||
          version_output[end] == '.')) {
    ++end;
  }
  return std::string(version_output.substr(start, end - start));
}

bool takes_reconnect_ms(std::string_view version) {
  unsigned major = 0;
  unsigned minor = 0;
  const auto dot = version.find('.');
  const auto [major_end, major_error] =
      std::from_chars(version.data(), version.data() + version.size(), major);
  if (major_error != std::errc() || dot == std::string_view::npos) return false;
  const auto [minor_end_unused, minor_error] =
      std::from_chars(version.data() + dot + 1, version.data() + version.size(), minor);
  if (minor_error != std::errc() || major_end != version.data() + dot) return false;
  return major > 9 || (major == 9 && minor >= 2);
}

QemuProbe probe_qemu(const std::string& qemu, std::string_view device,
                     const std::filesystem::path& work_dir, std::chrono::milliseconds timeout) {
  QemuProbe probe;
  const auto version = qemu_output(qemu, {"--version"}, work_dir / "qemu-version.txt", timeout);
  if (!version) return probe;
  probe.version = qemu_version_of(*version);
  const auto help = qemu_output(qemu, {"-device", "help"}, work_dir / "qemu-devices.txt", timeout);
  probe.runs = help.has_value();
  probe.has_device = help && device_help_lists(*help, device);
  return probe;
}

}  // namespace vmesh::launcher
