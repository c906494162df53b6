// Base fixture of the real-VM launcher tests: skips without QEMU, gives each test its own
// runtime directory (so runs never meet), keeps that directory when the test failed, and
// notes when the guest image cannot be built (skip_reason_).
#pragma once

#include <cstdlib>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>

#include "tests/launcher/vmesh_test_support.hpp"

namespace vmesh::launcher::test {

class VmeshVmFixture : public ::testing::Test {
 protected:
  explicit VmeshVmFixture(const std::string& tag) : dir_(tag) {}

  void SetUp() override {
    if (std::system("command -v qemu-system-x86_64 >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "qemu-system-x86_64 is not installed";
    }
    env_ = {"XDG_RUNTIME_DIR=" + (dir_.path / "runtime").string(),
            "VIRTUAL_MESH_MAX_NODES=", "VIRTUAL_MESH_NODES=", "VIRTUAL_MESH_IMAGE="};
  }
  void TearDown() override {
    if (HasFailure()) {
      dir_.keep = true;
      std::cerr << "kept " << dir_.path << "\n";
    }
  }
  VmeshResult run(const std::vector<std::string>& args) {
    auto result = run_vmesh(args, env_, dir_.path, std::chrono::seconds(400));
    if (result.err.find("build-image.sh failed") != std::string::npos) {
      skip_reason_ = "the guest image cannot be built here:\n" + result.err;
    }
    return result;
  }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_.path / name;
    std::ofstream(path) << text;
    return path;
  }

  ScratchDir dir_;
  std::vector<std::string> env_;
  std::string skip_reason_;
};

}  // namespace vmesh::launcher::test
