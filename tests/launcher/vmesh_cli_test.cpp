// The vmesh binary on inputs that must stop before any process starts: a broken topology
// (file:line:col), VIRTUAL_MESH_MAX_NODES, VIRTUAL_MESH_IMAGE, usage errors.
#include <fstream>

#include <gtest/gtest.h>

#include "tests/launcher/vmesh_test_support.hpp"

namespace vmesh::launcher::test {
namespace {

// Sentinel tools: any start of the relay or the image build leaves a marker file.
struct Sandbox {
  ScratchDir dir{"cli"};
  std::filesystem::path marker = dir.path / "started";
  std::vector<std::string> env;
  Sandbox() {
    const auto scripts = dir.path / "image";
    std::filesystem::create_directories(scripts);
    for (const auto& tool :
         {dir.path / "relay.sh", scripts / "build-image.sh", scripts / "make-node-cpio.sh"}) {
      std::ofstream(tool) << "#!/bin/sh\ntouch " << marker.string() << "\nexit 1\n";
      std::filesystem::permissions(tool, std::filesystem::perms::owner_all);
    }
    env = {"XDG_RUNTIME_DIR=" + (dir.path / "runtime").string(),
           "VMESH_RELAY_BIN=" + (dir.path / "relay.sh").string(),
           "VMESH_IMAGE_SCRIPTS=" + scripts.string(),
           "VIRTUAL_MESH_MAX_NODES=",
           "VIRTUAL_MESH_NODES=",
           "VIRTUAL_MESH_IMAGE="};
  }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir.path / name;
    std::ofstream(path) << text;
    return path;
  }
  bool nothing_started() const {
    return !std::filesystem::exists(marker) && !std::filesystem::exists(dir.path / "runtime");
  }
};

TEST(VmeshCli, BrokenTopologyStopsWithFileLineColumnBeforeAnyProcess) {
  Sandbox box;
  const auto topology =
      box.write("broken.toml", "[[node]]\nname = \"a\"\n[[link]]\nnodes = [\"a\", \"zz\"]\n");
  const auto result =
      run_vmesh({"run", topology.string()}, box.env, box.dir.path, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(topology.string() + ":4:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("zz"), std::string::npos) << result.err;
  EXPECT_TRUE(box.nothing_started());
}

TEST(VmeshCli, MissingTopologyFileIsNamed) {
  Sandbox box;
  const auto result = run_vmesh({"run", (box.dir.path / "nope.toml").string()}, box.env,
                                box.dir.path, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("nope.toml"), std::string::npos) << result.err;
  EXPECT_TRUE(box.nothing_started());
}

TEST(VmeshCli, MaxNodesRefusesWithTheLimitNamed) {
  Sandbox box;
  auto env = box.env;
  env.push_back("VIRTUAL_MESH_MAX_NODES=2");
  const auto result = run_vmesh({"run", VMESH_TOPOLOGIES_DIR "/line3.toml"}, env, box.dir.path,
                                std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("VIRTUAL_MESH_MAX_NODES=2 allows at most 2"), std::string::npos)
      << result.err;
  EXPECT_TRUE(box.nothing_started());
}

TEST(VmeshCli, MoreGuestMemoryThanTheMachineHasFailsBeforeAnyVmNamingBothNumbers) {
  Sandbox box;
  std::string text = "[medium]\ndefault = \"all\"\n";
  for (int i = 1; i <= 40; ++i) {  // 40 x 64 GiB: more than any machine this runs on
    text += "[[node]]\nname = \"n" + std::to_string(i) + "\"\nmemory_mb = 65536\n";
  }
  const auto topology = box.write("big.toml", text);
  const auto result =
      run_vmesh({"run", topology.string()}, box.env, box.dir.path, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("40 nodes need 2621440 MiB of guest memory"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("MiB available (MemAvailable"), std::string::npos) << result.err;
  EXPECT_TRUE(box.nothing_started());
}

TEST(VmeshCli, UnusableAuthorizedKeysFileIsNamedBeforeAnyProcess) {
  Sandbox box;
  const auto key = box.write("id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  const auto result =
      run_vmesh({"up", VMESH_TOPOLOGIES_DIR "/line3.toml", "--authorized-keys", key.string()},
                box.env, box.dir.path, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(key.string() + ":1: not an OpenSSH public key line"), std::string::npos)
      << result.err;
  EXPECT_TRUE(box.nothing_started());
}

TEST(VmeshCli, MissingUserImageIsNamedWithItsNodeBeforeAnyProcess) {
  Sandbox box;
  auto env = box.env;
  env.push_back("VIRTUAL_MESH_IMAGE=/images/openwrt.qcow2");
  const auto result = run_vmesh({"run", VMESH_TOPOLOGIES_DIR "/line3.toml"}, env, box.dir.path,
                                std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("node n1: disk /images/openwrt.qcow2 does not exist"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(box.nothing_started());
  const auto up =
      run_vmesh({"up", VMESH_TOPOLOGIES_DIR "/line3.toml", "--image", "/images/lime.img.gz"},
                box.env, box.dir.path, std::chrono::seconds(30));
  EXPECT_EQ(up.exit_code, 2);
  EXPECT_NE(up.err.find("node n1: disk /images/lime.img.gz does not exist"), std::string::npos)
      << up.err;
  EXPECT_TRUE(box.nothing_started());
}

TEST(VmeshCli, FailedImageBuildLeavesNoProcessAndKeepsTheLog) {
  Sandbox box;
  const auto result = run_vmesh({"run", VMESH_TOPOLOGIES_DIR "/line3.toml"}, box.env, box.dir.path,
                                std::chrono::seconds(60));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(std::filesystem::exists(box.marker));  // build-image.sh ran (and failed)
  EXPECT_NE(result.err.find("build-image.sh failed"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("logs kept in"), std::string::npos) << result.err;
}

TEST(VmeshCli, UsageErrorsAndStatusWithoutARun) {
  Sandbox box;
  auto usage = run_vmesh({"run"}, box.env, box.dir.path, std::chrono::seconds(30));
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("usage: vmesh"), std::string::npos);
  auto status =
      run_vmesh({"status", "--name", "absent"}, box.env, box.dir.path, std::chrono::seconds(30));
  EXPECT_EQ(status.exit_code, 2);
  EXPECT_NE(status.err.find("no run"), std::string::npos) << status.err;
}

}  // namespace
}  // namespace vmesh::launcher::test
