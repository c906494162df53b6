// Which firmware each node boots, and the QEMU command line of a firmware image node.
#include "launcher/plan/node_images.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "launcher/plan/run_plan.hpp"
#include "launcher/scenario/scenario_parser.hpp"

namespace vmesh::launcher {
namespace {

struct Files {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vmesh-images-" + std::to_string(getpid()));
  Files() { std::filesystem::create_directories(dir); }
  ~Files() { std::filesystem::remove_all(dir); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
  // A raw disk starts with boot code; anything without another format's magic is raw.
  std::filesystem::path raw_disk(const std::string& name) {
    return write(name, std::string(512, '\0'));
  }
  std::filesystem::path default_recipe() {
    return write("libremesh.toml", R"([image]
name = "LibreMesh"
setup = ["uci set vwifi.config.server_ip='{relay_host}'"]
[image.ssh]
net = "10.13.0.0/16"
guest = "10.13.0.1"
[image.relay]
net = "10.99.0.0/24"
nic = 2
server = "10.99.0.254:8212"
)");
  }
};

const char* kTwoNodes = R"(
[[node]]
name = "a"
[[node]]
name = "b"
)";

std::string resolve_error(const Scenario& scenario, const ImageSources& sources) {
  try {
    resolve_node_images(scenario, scenario.topology.nodes.size(), sources);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

bool has(const std::vector<std::string>& argv, const std::string& word) {
  return std::find(argv.begin(), argv.end(), word) != argv.end();
}

TEST(NodeImages, WithoutAnImageEveryNodeBootsTheVmeshGuest) {
  const auto images = resolve_node_images(parse_scenario(kTwoNodes, "t.toml"), 2, {});
  ASSERT_EQ(images.size(), 2u);
  EXPECT_FALSE(images[0]);
  EXPECT_FALSE(images[1]);
}

TEST(NodeImages, ABareDiskTakesTheLibreMeshRecipeAndItsDefaults) {
  Files files;
  ImageSources sources;
  sources.run_image = files.raw_disk("lime.img");
  sources.default_recipe = files.default_recipe();
  const auto images = resolve_node_images(parse_scenario(kTwoNodes, "t.toml"), 2, sources);
  ASSERT_TRUE(images[1]);
  const ImageSpec& image = *images[1];
  EXPECT_EQ(image.name, "LibreMesh");
  EXPECT_EQ(image.disk, files.dir / "lime.img");
  EXPECT_EQ(image.format, "raw");
  EXPECT_EQ(image.login_user, "root");
  EXPECT_EQ(image.login_password, "");  // OpenWrt's keyless root
  EXPECT_EQ(image.memory_mb, kImageMemoryMb);
  EXPECT_EQ(image.machine, "q35");
  EXPECT_EQ(image.ssh_guest, "10.13.0.1");
}

TEST(NodeImages, ARecipeBesideTheDiskWinsAndTheTopologyOverridesIt) {
  Files files;
  ImageSources sources;
  sources.run_image = files.raw_disk("fw.img");
  sources.default_recipe = files.default_recipe();
  files.write("fw.img.vmesh.toml", "[image]\nname = \"own\"\nmemory_mb = 200\nsetup = [\"a\"]\n");
  auto scenario = parse_scenario(std::string(kTwoNodes) + "[image]\nmemory_mb = 300\n", "t.toml");
  const auto images = resolve_node_images(scenario, 2, sources);
  ASSERT_TRUE(images[0]);
  EXPECT_EQ(images[0]->name, "own");
  EXPECT_EQ(images[0]->memory_mb, 300u);
  EXPECT_EQ(images[0]->setup, std::vector<std::string>{"a"});
}

TEST(NodeImages, ANodesOwnImageMixesWithTheVmeshGuest) {
  Files files;
  files.raw_disk("b.img");
  ImageSources sources;
  sources.default_recipe = files.default_recipe();
  const auto topology = files.write("t.toml", std::string(kTwoNodes) + "image = \"b.img\"\n");
  const auto images = resolve_node_images(load_scenario_file(topology), 2, sources);
  EXPECT_FALSE(images[0]);
  ASSERT_TRUE(images[1]);
  EXPECT_EQ(images[1]->disk, files.dir / "b.img");
}

TEST(NodeImages, UnusableDisksAreNamedWithTheNodeAndTheFix) {
  Files files;
  ImageSources sources;
  sources.default_recipe = files.default_recipe();
  const auto scenario = parse_scenario(kTwoNodes, "t.toml");
  sources.run_image = files.dir / "missing.img";
  EXPECT_NE(resolve_error(scenario, sources)
                .find("node a: disk " + (files.dir / "missing.img").string() + " does not exist"),
            std::string::npos)
      << resolve_error(scenario, sources);
  sources.run_image = files.write("lime.img.gz", std::string("\x1f\x8b\x08\x00rest", 8));
  EXPECT_NE(resolve_error(scenario, sources).find("gunzip it first"), std::string::npos);
  sources.run_image = files.write("x.vmdk", "KDMVxxxxxxxx");
  EXPECT_NE(resolve_error(scenario, sources).find("VMDK"), std::string::npos);
  sources.run_image = files.write("tiny.img", "ab");
  EXPECT_NE(resolve_error(scenario, sources).find("empty or shorter"), std::string::npos);
  sources.run_image = files.dir;
  EXPECT_NE(resolve_error(scenario, sources).find("is a directory"), std::string::npos);
  sources.run_image = files.write("q.img", std::string("QFI\xfb", 4) + std::string(60, '\0'));
  files.write("q.img.vmesh.toml", "[image]\nformat = \"raw\"\n");
  EXPECT_NE(resolve_error(scenario, sources).find("is qcow2, but"), std::string::npos);
  std::filesystem::remove(files.dir / "q.img.vmesh.toml");
  EXPECT_EQ(resolve_error(scenario, sources), "");
  sources.run_image.reset();
  const auto no_disk =
      parse_scenario(std::string(kTwoNodes) + "[image]\nmemory_mb = 300\n", "t.toml");
  EXPECT_NE(resolve_error(no_disk, sources).find("names no disk and no kernel"), std::string::npos);
}

TEST(NodeImages, ImageNodeBootsItsDiskUnwrittenWithSshAndRelayNics) {
  Files files;
  ImageSources sources;
  sources.run_image = files.raw_disk("fw,1.img");
  sources.default_recipe = files.default_recipe();
  const auto scenario =
      parse_scenario(std::string(kTwoNodes) + "[medium]\nchannel = 6\n", "t.toml");
  PlanInputs in;
  in.node_count = 2;
  in.ssh_ports = {2222, 2223};
  in.relay_tcp_port = 40001;
  in.run_dir = "/run/x";
  in.node_images = resolve_node_images(scenario, 2, sources);
  const auto plan = plan_run(scenario, in);
  const NodePlan& node = plan.nodes[1];
  ASSERT_TRUE(node.image);
  const auto& argv = node.qemu_argv;
  EXPECT_TRUE(has(
      argv, "file=" + (files.dir / "fw,,1.img").string() + ",if=virtio,format=raw,snapshot=on"));
  EXPECT_TRUE(has(argv, "q35"));
  EXPECT_TRUE(has(argv, "512"));
  EXPECT_FALSE(has(argv, "-kernel"));
  EXPECT_FALSE(has(argv, "-append"));
  EXPECT_FALSE(has(argv, "-fw_cfg"));
  EXPECT_FALSE(has(argv, "-no-reboot"));
  EXPECT_TRUE(has(argv, "user,id=lan,net=10.13.0.0/16,hostfwd=tcp:127.0.0.1:2223-10.13.0.1:22"));
  EXPECT_TRUE(has(argv, "virtio-net-pci,netdev=lan,mac=52:54:00:00:01:02,romfile="));
  EXPECT_TRUE(has(argv, "user,id=nic1,restrict=on"));
  EXPECT_TRUE(has(argv,
                  "user,id=relay,net=10.99.0.0/24,guestfwd=tcp:10.99.0.254:8212-tcp:"
                  "127.0.0.1:40001,,reconnect=1,,nodelay=on"));
  EXPECT_TRUE(node.cpio_argv.empty());
  EXPECT_TRUE(node.kernel_cmdline.empty());
  EXPECT_EQ(node.image->setup,
            std::vector<std::string>{"uci set vwifi.config.server_ip='10.99.0.254'"});
  EXPECT_EQ(node.image->placeholders.at("relay_port"), "8212");
  EXPECT_EQ(node.image->placeholders.at("channel"), "6");
  EXPECT_EQ(node.image->placeholders.at("mac_prefix"), "02:00:00:00:02");
  EXPECT_EQ(node.mesh_ip, "10.13.0.2");
  EXPECT_EQ(node.image->ssh_guest, "10.13.0.1:22");
  EXPECT_EQ(node.image->login_password, "");
}

TEST(NodeImages, WithoutAForwardedServerTheClientIsToldTheHostAndTheRealPort) {
  Files files;
  ImageSources sources;
  sources.run_image = files.raw_disk("fw.img");
  sources.default_recipe = files.write(
      "plain.toml",
      "[image]\nmesh_ip = \"10.14.{index}.1\"\nsetup = [\"c {relay_host}:{relay_port}\"]\n");
  const auto scenario = parse_scenario(kTwoNodes, "t.toml");
  PlanInputs in;
  in.node_count = 1;
  in.ssh_ports = {2222};
  in.relay_tcp_port = 40001;
  in.node_images = resolve_node_images(scenario, 1, sources);
  const auto node = plan_run(scenario, in).nodes[0];
  EXPECT_EQ(node.image->setup[0], "c 10.0.2.2:40001");
  EXPECT_EQ(node.mesh_ip, "10.14.1.1");
  EXPECT_TRUE(
      has(node.qemu_argv, "user,id=lan,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:2222-10.0.2.15:22"));
  EXPECT_FALSE(has(node.qemu_argv, "user,id=relay"));
}

TEST(NodeImages, AnImageWithoutBootloaderBootsItsKernelInitrdAndAppend) {
  Files files;
  files.write("bzImage", "kernel");
  files.write("rootfs.cpio", "initrd");
  const auto topology = files.write(
      "t.toml",
      std::string(kTwoNodes) +
          "[image]\nkernel = \"bzImage\"\ninitrd = \"rootfs.cpio\"\n"
          "append = \"console=ttyS0 root=/dev/ram0\"\n[image.login]\npassword = \"pw\"\n");
  const auto scenario = load_scenario_file(topology);
  PlanInputs in;
  in.node_count = 1;
  in.ssh_ports = {2222};
  in.relay_tcp_port = 40001;
  in.node_images = resolve_node_images(scenario, 1, {});
  const auto node = plan_run(scenario, in).nodes[0];
  const auto& argv = node.qemu_argv;
  const auto at = std::find(argv.begin(), argv.end(), "-kernel");
  ASSERT_NE(at, argv.end());
  EXPECT_EQ(*(at + 1), (files.dir / "bzImage").string());
  EXPECT_TRUE(has(argv, (files.dir / "rootfs.cpio").string()));
  EXPECT_TRUE(has(argv, "console=ttyS0 root=/dev/ram0"));
  EXPECT_FALSE(has(argv, "-drive"));
  EXPECT_EQ(node.image->image_name, "bzImage");
  EXPECT_EQ(node.image->login_password, "pw");
  files.write("t2.toml", std::string(kTwoNodes) + "[image]\nkernel = \"missing\"\n");
  EXPECT_NE(resolve_error(load_scenario_file(files.dir / "t2.toml"), {}).find("node a: kernel"),
            std::string::npos);
}

TEST(NodeImages, AForwardedServerOnQemusOwnAddressIsRefused) {
  Files files;
  ImageSources sources;
  sources.run_image = files.raw_disk("fw.img");
  sources.default_recipe =
      files.write("r.toml", "[image.relay]\nnet = \"10.99.0.0/24\"\nserver = \"10.99.0.2:8212\"\n");
  const auto scenario = parse_scenario(kTwoNodes, "t.toml");
  PlanInputs in;
  in.node_count = 1;
  in.ssh_ports = {2222};
  in.relay_tcp_port = 40001;
  in.node_images = resolve_node_images(scenario, 1, sources);
  try {
    plan_run(scenario, in);
    ADD_FAILURE() << "guestfwd on the user-mode host was planned";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not its host (.2)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vmesh::launcher
