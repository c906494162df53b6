// The KVM probe's cache: a cached answer for this host and image kernel is used as is; an
// answer for another kernel is not.
#include "launcher/run/accel_probe.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace vmesh::launcher {
namespace {

TEST(AccelProbe, UsesTheCachedAnswerForThisHostAndKernel) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vmesh-accel-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "image");
  std::ofstream(dir / "image" / "kernel-release") << "6.1.0-test-amd64\n";
  utsname host{};
  uname(&host);
  std::ofstream(dir / "cache") << host.release
                               << " 6.1.0-test-amd64\nkvm KVM probe: a kernel boots\n";
  const auto cached =
      probe_accel(dir / "image", dir, dir / "cache", std::chrono::milliseconds(100));
  EXPECT_EQ(cached.accel, Accel::kvm);
  EXPECT_NE(cached.reason.find("(cached)"), std::string::npos);

  // Another image kernel: probed again (no vmlinux here, so whatever the host has, the
  // answer is TCG) and the cache rewritten for the new key.
  std::ofstream(dir / "image" / "kernel-release", std::ios::trunc) << "6.1.0-other-amd64\n";
  const auto probed =
      probe_accel(dir / "image", dir, dir / "cache", std::chrono::milliseconds(2000));
  EXPECT_EQ(probed.accel, Accel::tcg) << probed.reason;
  std::ifstream cache(dir / "cache");
  std::string first_line;
  std::getline(cache, first_line);
  EXPECT_EQ(first_line, std::string(host.release) + " 6.1.0-other-amd64");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vmesh::launcher
