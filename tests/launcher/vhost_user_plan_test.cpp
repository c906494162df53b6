// The planner on the vhost-user transport: shared memfd memory on q35, hwsim's virtio device
// at the node's relay socket, the CPU model QEMU >= 10.2 needs, no agent in the guest; and
// the serial and tcp transports exactly as before. Small TCG runs keep the guest's tick (nohz=off).
#include <algorithm>

#include <gtest/gtest.h>

#include "launcher/plan/run_plan.hpp"
#include "launcher/scenario/scenario_parser.hpp"
#include "tests/launcher/plan_test_support.hpp"

namespace vmesh::launcher {
namespace {

using test::has_pair;
using test::inputs;

const char* kPair = R"(
[[node]]
name = "n1"
[[node]]
name = "n2"
memory_mb = 300
)";

PlanInputs vhost_user_inputs(std::size_t node_count = 2) {
  auto in = inputs(node_count);
  in.relay_transport = RelayTransport::vhost_user;
  in.guest_qemu = "/cache/qemu/k/vmesh-qemu-system-x86_64";
  in.vhost_user_dir = "/run/x/vhost";
  return in;
}

bool contains(const std::vector<std::string>& argv, const std::string& word) {
  return std::find(argv.begin(), argv.end(), word) != argv.end();
}

TEST(VhostUserPlan, GuestMemoryIsASharedMemfdOnQ35) {
  const auto plan = plan_run(parse_scenario(kPair, "t.toml"), vhost_user_inputs());
  const auto& n1 = plan.nodes[0].qemu_argv;
  EXPECT_TRUE(has_pair(n1, "-machine", "q35,memory-backend=mem"));
  EXPECT_TRUE(has_pair(n1, "-object", "memory-backend-memfd,id=mem,size=256M,share=on"));
  EXPECT_TRUE(has_pair(n1, "-m", "256"));
  // The backend's size follows the node's memory_mb, as -m does.
  const auto& n2 = plan.nodes[1].qemu_argv;
  EXPECT_TRUE(has_pair(n2, "-object", "memory-backend-memfd,id=mem,size=300M,share=on"));
  EXPECT_TRUE(has_pair(n2, "-m", "300"));
}

TEST(VhostUserPlan, EachNodeConnectsToItsOwnRelaySocket) {
  const auto plan = plan_run(parse_scenario(kPair, "t.toml"), vhost_user_inputs());
  for (const auto& node : plan.nodes) {
    EXPECT_TRUE(has_pair(node.qemu_argv, "-chardev",
                         "socket,id=vhost,path=/run/x/vhost/" + node.name + ".sock"))
        << node.name;
    EXPECT_TRUE(
        has_pair(node.qemu_argv, "-device",
                 "vhost-user-test-device-pci,chardev=vhost,virtio-id=29,num_vqs=2,vq_size=256"));
    EXPECT_FALSE(contains(node.qemu_argv, kRelaySerialController));
    // The rest of the VM is as on the other transports: NIC, console, settings.
    EXPECT_TRUE(has_pair(node.qemu_argv, "-device", "virtio-net-pci,netdev=net0,romfile="));
    EXPECT_TRUE(has_pair(node.qemu_argv, "-serial", "chardev:console"));
    EXPECT_TRUE(contains(node.qemu_argv, "-fw_cfg"));
  }
}

TEST(VhostUserPlan, RunsTheChosenQemuWithFsrmMaskedUnderTcg) {
  auto in = vhost_user_inputs();
  const auto scenario = parse_scenario(kPair, "t.toml");
  const auto tcg = plan_run(scenario, in).nodes[0].qemu_argv;
  EXPECT_EQ(tcg[0], "/cache/qemu/k/vmesh-qemu-system-x86_64");
  EXPECT_TRUE(has_pair(tcg, "-cpu", "max,-erms,-fsrm"));
  EXPECT_TRUE(has_pair(tcg, "-accel", "tcg,thread=multi"));
  in.accel = Accel::kvm;
  EXPECT_TRUE(has_pair(plan_run(scenario, in).nodes[0].qemu_argv, "-cpu", "host"));
}

TEST(VhostUserPlan, TheGuestStartsNoAgent) {
  const auto plan = plan_run(parse_scenario(kPair, "t.toml"), vhost_user_inputs());
  EXPECT_TRUE(has_pair(plan.nodes[1].cpio_argv, "--relay", "vhost-user"));
  EXPECT_TRUE(has_pair(plan.nodes[1].cpio_argv, "--mac-prefix", "02:00:00:00:02"));
}

bool has_word(const std::string& cmdline, const std::string& word) {
  return (" " + cmdline + " ").find(" " + word + " ") != std::string::npos;
}

TEST(VhostUserPlan, SmallTcgRunsKeepTheGuestTickForLatency) {
  const auto scenario = parse_scenario(kPair, "t.toml");
  auto in = vhost_user_inputs();
  in.host_cpus = 1;  // 2 nodes on 1 CPU: within kTickedNodesPerHostCpu
  for (const auto& node : plan_run(scenario, in).nodes) {
    EXPECT_TRUE(has_word(node.kernel_cmdline, "nohz=off")) << node.kernel_cmdline;
    EXPECT_TRUE(has_word(node.kernel_cmdline, "mitigations=off")) << node.kernel_cmdline;
  }
  in.accel = Accel::kvm;  // the tick costs a KVM guest's idle time and saves it nothing
  EXPECT_FALSE(has_word(plan_run(scenario, in).nodes[0].kernel_cmdline, "nohz=off"));
}

TEST(VhostUserPlan, RunsLargeForTheHostStayTickless) {
  std::string topology;
  for (int i = 1; i <= 9; ++i) topology += "[[node]]\nname = \"n" + std::to_string(i) + "\"\n";
  const auto scenario = parse_scenario(topology, "t.toml");
  auto in = vhost_user_inputs(9);  // one past 4 per CPU
  in.host_cpus = 2;
  for (const auto& node : plan_run(scenario, in).nodes) {
    EXPECT_FALSE(has_word(node.kernel_cmdline, "nohz=off")) << node.kernel_cmdline;
  }
  in = vhost_user_inputs(8);
  in.host_cpus = 2;
  EXPECT_TRUE(has_word(plan_run(scenario, in).nodes[7].kernel_cmdline, "nohz=off"));
}

TEST(VhostUserPlan, NeedsTheRelaysSocketDirectory) {
  auto in = vhost_user_inputs();
  in.vhost_user_dir.clear();
  EXPECT_THROW(plan_run(parse_scenario(kPair, "t.toml"), in), std::invalid_argument);
}

TEST(VhostUserPlan, SerialAndTcpKeepThePcMachineTheirCpuModelAndTheHostQemu) {
  const auto scenario = parse_scenario(kPair, "t.toml");
  for (auto transport : {RelayTransport::serial, RelayTransport::tcp}) {
    auto in = inputs(2);
    in.relay_transport = transport;
    const auto argv = plan_run(scenario, in).nodes[0].qemu_argv;
    EXPECT_EQ(argv[0], "qemu-system-x86_64");
    EXPECT_TRUE(has_pair(argv, "-machine", "pc"));
    EXPECT_TRUE(has_pair(argv, "-cpu", "max,-erms,-fsrm"));
    EXPECT_FALSE(contains(argv, "-object"));
    // The agent's path dominates these transports' latency: the guest stays tickless.
    EXPECT_FALSE(has_word(plan_run(scenario, in).nodes[0].kernel_cmdline, "nohz=off"));
    for (const auto& arg : argv) {
      EXPECT_EQ(arg.find("vhost"), std::string::npos) << arg;
      EXPECT_EQ(arg.find("memory-backend"), std::string::npos) << arg;
    }
  }
}

TEST(VhostUserPlan, FirmwareImagesKeepTheirOwnClientAndTheHostQemu) {
  const auto scenario = parse_scenario(kPair, "t.toml");
  auto in = vhost_user_inputs();
  ImageSpec image;
  image.disk = "/img/openwrt.img";
  image.ssh_net = "10.13.0.0/16";
  image.ssh_guest = "10.13.0.2";
  in.node_images = {std::nullopt, image};
  const auto plan = plan_run(scenario, in);
  EXPECT_EQ(plan.nodes[0].qemu_argv[0], "/cache/qemu/k/vmesh-qemu-system-x86_64");
  const auto& firmware = plan.nodes[1].qemu_argv;
  EXPECT_EQ(firmware[0], "qemu-system-x86_64");
  for (const auto& arg : firmware) EXPECT_EQ(arg.find("vhost"), std::string::npos) << arg;
}

}  // namespace
}  // namespace vmesh::launcher
