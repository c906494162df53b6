// What vmesh reads from a QEMU binary's own answers: `-device help` and `--version`.
#include "launcher/run/qemu_probe.hpp"

#include <stdlib.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace vmesh::launcher {
namespace {

// Lines as QEMU 11.1 prints them; 7.2 has the same format without the device.
constexpr std::string_view kDeviceHelp = R"(Storage devices:
name "vhost-user-blk-pci", bus PCI
name "virtio-blk-pci", bus PCI, alias "virtio-blk"

Misc devices:
name "vhost-user-test-device", bus virtio-bus
name "vhost-user-test-device-pci", bus PCI
name "virtio-serial-pci", bus PCI, alias "virtio-serial"
)";

TEST(QemuProbe, FindsADeviceByItsExactName) {
  EXPECT_TRUE(device_help_lists(kDeviceHelp, kVhostUserDevice));
  EXPECT_TRUE(device_help_lists(kDeviceHelp, "vhost-user-test-device"));
  // A prefix of a listed name is not that device (7.2 lists vhost-user-blk-pci but no test
  // device).
  EXPECT_FALSE(device_help_lists(kDeviceHelp, "vhost-user-test"));
  EXPECT_FALSE(device_help_lists("name \"vhost-user-blk-pci\", bus PCI\n", kVhostUserDevice));
  EXPECT_FALSE(device_help_lists("", kVhostUserDevice));
}

TEST(QemuProbe, ReadsTheVersionNumber) {
  EXPECT_EQ(qemu_version_of("QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n"
                            "Copyright (c) 2003-2022 Fabrice Bellard\n"),
            "7.2.22");
  EXPECT_EQ(qemu_version_of("QEMU emulator version 11.1.3 (Debian 1:11.1.3+ds-2~bpo13+1)"),
            "11.1.3");
  EXPECT_EQ(qemu_version_of("qemu-system-x86_64: not found"), "");
}

TEST(QemuProbe, ReconnectMsFrom92On) {
  EXPECT_FALSE(takes_reconnect_ms("7.2.22"));
  EXPECT_FALSE(takes_reconnect_ms("9.1.3"));
  EXPECT_TRUE(takes_reconnect_ms("9.2.0"));
  EXPECT_TRUE(takes_reconnect_ms("10.0"));
  EXPECT_TRUE(takes_reconnect_ms("11.1.3"));
  EXPECT_FALSE(takes_reconnect_ms(""));
  EXPECT_FALSE(takes_reconnect_ms("11"));
  EXPECT_FALSE(takes_reconnect_ms("x.y"));
}

TEST(QemuProbe, AMissingBinaryDoesNotRun) {
  // The probe writes its answers into the directory it is given: a private one, removed.
  std::string dir_template = (std::filesystem::temp_directory_path() / "vmesh-probe-XXXXXX");
  ASSERT_NE(::mkdtemp(dir_template.data()), nullptr);
  const std::filesystem::path dir = dir_template;
  const auto probe = probe_qemu("/nonexistent/qemu-system-x86_64", kVhostUserDevice, dir,
                                std::chrono::milliseconds(2000));
  EXPECT_FALSE(probe.runs);
  EXPECT_FALSE(probe.has_device);
  EXPECT_EQ(probe.version, "");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vmesh::launcher
