// A host whose own QEMU is newer than Debian 12's 7.2 (Debian 13 has 10.0, its backports
// 11.1): the serial transport's chardev (`reconnect-ms`, QEMU >= 9.2) and the CPU model
// (FSRM masked for QEMU >= 10) must suit it. The cached Debian 13 QEMU
// (build-qemu-root.sh) stands in for such a host's, first in PATH. Skips with the reason
// when that QEMU cannot be had here.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/launcher/vmesh_test_support.hpp"
#include "tests/launcher/vmesh_vm_fixture.hpp"

namespace vmesh::launcher::test {
namespace {

const char* kPair = R"(
[meta]
name = "newer-qemu-pair"
[medium]
default = "all"
[[node]]
name = "n1"
[[node]]
name = "n2"
)";

// The cached Debian 13 QEMU's wrapper (built on a cache miss), or empty.
std::string cached_qemu_wrapper() {
  const std::string command =
      "bash " VMESH_IMAGE_SCRIPTS_DIR "/build-qemu-root.sh 2>/dev/null | tail -n 1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string out;
  char buffer[512];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) out += buffer;
  ::pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class NewerHostQemuVm : public VmeshVmFixture {
 protected:
  NewerHostQemuVm() : VmeshVmFixture("newer-qemu-vm") {}
};

TEST_F(NewerHostQemuVm, SerialTransportRunsOnAHostQemuOf11) {
  const std::string wrapper = cached_qemu_wrapper();
  if (wrapper.empty() || !std::filesystem::exists(wrapper))
    GTEST_SKIP() << "no cached Debian 13 QEMU here (build-qemu-root.sh failed)";
  const auto bin = std::filesystem::path(wrapper).parent_path() / "bin";
  env_.push_back("PATH=" + bin.string() + ":" + std::getenv("PATH"));
  const auto topology = write("pair.toml", kPair);
  // The guests' SMBIOS names the machine type of the QEMU that runs them (pc-i440fx-11.1).
  const auto result =
      run({"run", topology.string(), "--relay-transport", "serial", "--", "sh", "-c",
           "\"$VMESH_BIN\" ssh n1 --name \"$VMESH_RUN\" -- "
           "'cat /sys/class/dmi/id/product_version; ping -c 3 -W 2 10.13.0.2'"});
  if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("pc-i440fx-11."), std::string::npos) << result.out;
}

}  // namespace
}  // namespace vmesh::launcher::test
