// What a QEMU binary offers, asked of the binary itself: the vhost-user transport needs
// vhost-user-test-device-pci (user-creatable from QEMU 10.2), which Debian 12's 7.2 lacks.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace vmesh::launcher {

// The generic vhost-user device the vhost-user transport gives each guest.
inline constexpr std::string_view kVhostUserDevice = "vhost-user-test-device-pci";

struct QemuProbe {
  bool runs = false;        // the binary started and answered
  bool has_device = false;  // its `-device help` lists the device asked about
  std::string version;      // "7.2.22"; empty when unknown
};

// True when `device_help` (the output of `qemu-system-x86_64 -device help`) lists a device
// named `device` (a line `name "DEVICE", bus ...`). Pure.
bool device_help_lists(std::string_view device_help, std::string_view device);

// "7.2.22" from "QEMU emulator version 7.2.22 (Debian ...)"; empty if not found. Pure.
std::string qemu_version_of(std::string_view version_output);

// True for a QEMU that takes `reconnect-ms=` on socket chardevs: 9.2 added it, and later
// releases dropped the old `reconnect=` (11.1 refuses it). False for an unknown version,
// the older spelling being what Debian 12's 7.2 takes. Pure.
bool takes_reconnect_ms(std::string_view version);

// Runs `qemu --version` and `qemu -device help` (each within `timeout`), their output in
// files under work_dir. Never throws: a binary that is missing or fails gives runs = false.
QemuProbe probe_qemu(const std::string& qemu, std::string_view device,
                     const std::filesystem::path& work_dir, std::chrono::milliseconds timeout);

}  // namespace vmesh::launcher
