// The run planner: per-node names, indexes, ports, MAC prefixes, mesh IPs, QEMU argv.
#include "launcher/plan/run_plan.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "launcher/scenario/scenario_parser.hpp"
#include "tests/launcher/plan_test_support.hpp"

namespace vmesh::launcher {
namespace {

const char* kLine3 = R"(
[medium]
default = "none"
channel = 6
[[node]]
name = "a"
[[node]]
name = "b"
memory_mb = 300
[[node]]
name = "c"
mac_prefix = "02:aa:00:00:07"
[[link]]
nodes = ["a", "b"]
[[link]]
nodes = ["b", "c"]
)";

using test::has_pair;
using test::inputs;

TEST(RunPlan, NodesGetNamesIndexesPortsAndAddresses) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  const auto plan = plan_run(topology, inputs(3));
  ASSERT_EQ(plan.nodes.size(), 3u);
  EXPECT_EQ(plan.nodes[0].name, "a");
  EXPECT_EQ(plan.nodes[0].index, 1u);
  EXPECT_EQ(plan.nodes[2].index, 3u);
  EXPECT_EQ(plan.nodes[1].ssh_port, 2223);
  EXPECT_EQ(plan.nodes[0].mac_prefix, "02:00:00:00:01");
  EXPECT_EQ(plan.nodes[2].mac_prefix, "02:aa:00:00:07");
  EXPECT_EQ(plan.nodes[1].mesh_ip, "10.13.0.2");
  EXPECT_EQ(plan.nodes[1].memory_mb, 300u);
  EXPECT_EQ(plan.nodes[0].memory_mb, 256u);
  EXPECT_EQ(plan.nodes[0].log_path, "/run/x/a.log");
}

TEST(RunPlan, QemuCommandLineIsTcgUserNetOnLoopbackWithSerialLogAndCpio) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  const auto node = plan_run(topology, inputs(3)).nodes[1];
  const auto& argv = node.qemu_argv;
  EXPECT_EQ(argv.front(), "qemu-system-x86_64");
  EXPECT_TRUE(has_pair(argv, "-accel", "tcg,thread=multi"));
  EXPECT_TRUE(has_pair(argv, "-cpu", "max,-erms,-fsrm"));
  EXPECT_TRUE(has_pair(argv, "-m", "300"));
  EXPECT_TRUE(has_pair(argv, "-kernel", "/img/vmlinux"));
  EXPECT_TRUE(has_pair(argv, "-initrd", "/img/initramfs.img"));
  EXPECT_TRUE(has_pair(argv, "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:2223-:22"));
  EXPECT_TRUE(has_pair(argv, "-chardev", "file,id=console,append=on,path=/run/x/b.log"));
  EXPECT_TRUE(has_pair(argv, "-serial", "chardev:console"));
  EXPECT_TRUE(has_pair(argv, "-fw_cfg", "name=opt/vmesh/node.cpio,file=/run/x/b.cpio"));
  EXPECT_TRUE(has_pair(argv, "-append", node.kernel_cmdline));
  EXPECT_NE(node.kernel_cmdline.find("vmesh.index=2"), std::string::npos);
  EXPECT_NE(node.kernel_cmdline.find("console=ttyS0"), std::string::npos);
  EXPECT_NE(node.kernel_cmdline.find("init_on_alloc=0"), std::string::npos);
  EXPECT_NE(node.kernel_cmdline.find("mitigations=off"), std::string::npos);
}

TEST(RunPlan, KvmUsesHostCpuAndKeepsTheGuestsMitigations) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  auto in = inputs(1);
  in.accel = Accel::kvm;
  const auto node = plan_run(topology, in).nodes[0];
  EXPECT_TRUE(has_pair(node.qemu_argv, "-accel", "kvm"));
  EXPECT_TRUE(has_pair(node.qemu_argv, "-cpu", "host"));
  EXPECT_EQ(node.kernel_cmdline.find("mitigations"), std::string::npos) << node.kernel_cmdline;
}

TEST(RunPlan, CpioCarriesIdentityRelayKeyAndChannel) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  const auto argv = plan_run(topology, inputs(3)).nodes[2].cpio_argv;
  EXPECT_EQ(argv[1], "/src/launcher/image/make-node-cpio.sh");
  EXPECT_TRUE(has_pair(argv, "--index", "3"));
  EXPECT_TRUE(has_pair(argv, "--name", "c"));
  EXPECT_TRUE(has_pair(argv, "--mac-prefix", "02:aa:00:00:07"));
  EXPECT_TRUE(has_pair(argv, "--relay", "serial"));
  EXPECT_TRUE(has_pair(argv, "--ssh-key", "/run/x/id.pub"));
  EXPECT_TRUE(has_pair(argv, "--channel", "6"));
}

TEST(RunPlan, SerialTransportConnectsAVirtioSerialPortToTheRelayOnLoopback) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  const auto argv = plan_run(topology, inputs(3)).nodes[0].qemu_argv;
  EXPECT_TRUE(has_pair(argv, "-device", "virtio-serial-pci,ioeventfd=off,max_ports=2,vectors=7"));
  EXPECT_TRUE(has_pair(argv, "-chardev",
                       "socket,id=relay,host=127.0.0.1,port=40001,reconnect=1,nodelay=on"));
  EXPECT_TRUE(has_pair(argv, "-device", "virtserialport,chardev=relay,name=vmesh.relay"));
}

TEST(RunPlan, AHostQemuFrom92OnSpellsTheReconnectAsReconnectMs) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  auto newer = inputs(3);
  newer.host_qemu_reconnect_ms = true;
  const auto argv = plan_run(topology, newer).nodes[0].qemu_argv;
  EXPECT_TRUE(has_pair(argv, "-chardev",
                       "socket,id=relay,host=127.0.0.1,port=40001,reconnect-ms=1000,nodelay=on"));
}

TEST(RunPlan, TcpTransportGoesThroughUserModeNetAndAddsNoSerialPort) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  auto in = inputs(3);
  in.relay_transport = RelayTransport::tcp;
  const auto node = plan_run(topology, in).nodes[2];
  EXPECT_TRUE(has_pair(node.cpio_argv, "--relay", "10.0.2.2:40001"));
  for (const auto& arg : node.qemu_argv) {
    EXPECT_FALSE(arg.starts_with("virtio-serial-pci")) << arg;
  }
  for (std::size_t i = 0; i + 1 < node.qemu_argv.size(); ++i) {
    if (node.qemu_argv[i] == "-chardev") {
      EXPECT_EQ(node.qemu_argv[i + 1].rfind("file,id=console,", 0), 0u)
          << "only the console may be a chardev: " << node.qemu_argv[i + 1];
    }
  }
}

TEST(RunPlan, MediumAcksSendGuestsToTheTxStatusPortOnBothTransports) {
  const auto topology = parse_scenario(std::string(kLine3) + "\n",
                                       "t.toml");  // acks = "always": vwifi's port
  auto with_acks = parse_scenario(
      std::string("[medium]\nacks = \"medium\"\n") + "[[node]]\nname = \"a\"\n", "t.toml");
  auto in = inputs(1);
  in.relay_txstatus_port = 40005;
  EXPECT_TRUE(has_pair(plan_run(topology, in).nodes[0].qemu_argv, "-chardev",
                       "socket,id=relay,host=127.0.0.1,port=40001,reconnect=1,nodelay=on"));
  EXPECT_TRUE(has_pair(plan_run(with_acks, in).nodes[0].qemu_argv, "-chardev",
                       "socket,id=relay,host=127.0.0.1,port=40005,reconnect=1,nodelay=on"));
  in.relay_transport = RelayTransport::tcp;
  EXPECT_TRUE(has_pair(plan_run(with_acks, in).nodes[0].cpio_argv, "--relay", "10.0.2.2:40005"));
  in.relay_txstatus_port = 0;  // a relay without the extension
  EXPECT_THROW(plan_run(with_acks, in), std::invalid_argument);
}

TEST(RunPlan, FewerNodesThanTheTopologyTakesTheFirstOnes) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  const auto plan = plan_run(topology, inputs(2));
  ASSERT_EQ(plan.nodes.size(), 2u);
  EXPECT_EQ(plan.nodes[1].name, "b");
}

TEST(RunPlan, RejectsBadInputs) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  EXPECT_THROW(plan_run(topology, inputs(0)), std::invalid_argument);
  EXPECT_THROW(plan_run(topology, inputs(4)), std::invalid_argument);
  auto in = inputs(3);
  in.ssh_ports.pop_back();
  EXPECT_THROW(plan_run(topology, in), std::invalid_argument);
}

TEST(ExpectedNeighbors, FollowLinksBothWays) {
  const auto topology = parse_scenario(kLine3, "t.toml");
  EXPECT_EQ(expected_neighbors(topology.topology, 3, 0), (std::vector<medium::NodeId>{1}));
  EXPECT_EQ(expected_neighbors(topology.topology, 3, 1), (std::vector<medium::NodeId>{0, 2}));
  EXPECT_EQ(expected_neighbors(topology.topology, 2, 1), (std::vector<medium::NodeId>{0}));
}

TEST(ExpectedNeighbors, DefaultAllMeansEveryoneAndOneWayLinksDoNotCount) {
  const auto all = parse_scenario(
      "[medium]\ndefault = "
      "\"all\"\n[[node]]\nname=\"a\"\n[[node]]\nname=\"b\"\n[[node]]\nname=\"c\"\n",
      "all.toml");
  EXPECT_EQ(expected_neighbors(all.topology, 3, 2), (std::vector<medium::NodeId>{0, 1}));
  const auto one_way = parse_scenario(
      "[medium]\ndefault = \"none\"\n[[node]]\nname=\"a\"\n[[node]]\nname=\"b\"\n"
      "[[link]]\nfrom = \"a\"\nto = \"b\"\n",
      "oneway.toml");
  EXPECT_TRUE(expected_neighbors(one_way.topology, 2, 0).empty());
}

}  // namespace
}  // namespace vmesh::launcher
