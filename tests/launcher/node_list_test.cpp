// The node list JSON (pytest fixture format) and the run state file.
#include "launcher/run/node_list.hpp"

#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "launcher/run/run_state.hpp"

namespace vmesh::launcher {
namespace {

NodeRecord sample(std::uint32_t index) {
  NodeRecord node;
  node.name = "n" + std::to_string(index);
  node.index = index;
  node.ssh_port = static_cast<std::uint16_t>(2221 + index);
  node.mesh_ip = "10.13.0." + std::to_string(index);
  node.mac_prefix = "02:00:00:00:0" + std::to_string(index);
  node.radios = 2;
  node.log_path = "/tmp/r/n" + std::to_string(index) + ".log";
  node.pid = 1000 + static_cast<pid_t>(index);
  return node;
}

TEST(NodeList, FixtureFieldsFirstAndMore) {
  const auto json = nlohmann::json::parse(node_list_json({sample(1), sample(2)}));
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["host"], "127.0.0.1");
  EXPECT_EQ(json[0]["port"], 2222);
  EXPECT_EQ(json[0]["place_id"], "virtual-mesh-1");
  EXPECT_EQ(json[1]["place_id"], "virtual-mesh-2");
  EXPECT_EQ(json[0]["user"], "root");
  EXPECT_EQ(json[0]["name"], "n1");
  EXPECT_EQ(json[0]["mesh_ip"], "10.13.0.1");
  EXPECT_EQ(json[0]["macs"], nlohmann::json({"02:00:00:00:01:00", "02:00:00:00:01:01"}));
  EXPECT_EQ(json[0]["log"], "/tmp/r/n1.log");
  EXPECT_EQ(json[0]["pid"], 1001);
}

TEST(NodeList, RoundTrip) {
  const auto back = node_from_json(node_to_json(sample(3)));
  EXPECT_EQ(back.name, "n3");
  EXPECT_EQ(back.ssh_port, 2224);
  EXPECT_EQ(back.radios, 2u);
  EXPECT_EQ(back.pid, 1003);
}

TEST(RunState, SaveAndLoad) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vmesh-state-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  RunState state;
  state.name = "lab";
  state.dir = dir;
  state.topology = "/t/line3.toml";
  state.ssh_key = dir / "id_ed25519";
  state.vmesh_pid = 5;
  state.relay_pid = 6;
  state.relay_tcp_port = 4001;
  state.relay_control_port = 4003;
  state.relay_control_socket = dir / "control.sock";
  state.nodes = {sample(1)};
  save_run_state(state);
  const auto loaded = load_run_state(dir);
  EXPECT_EQ(loaded.name, "lab");
  EXPECT_EQ(loaded.relay_pid, 6);
  EXPECT_EQ(loaded.relay_tcp_port, 4001);
  EXPECT_EQ(loaded.relay_control_socket, dir / "control.sock");
  ASSERT_EQ(loaded.nodes.size(), 1u);
  EXPECT_EQ(loaded.nodes[0].name, "n1");
  std::filesystem::remove_all(dir);
  EXPECT_THROW(load_run_state(dir), std::runtime_error);
}

TEST(NodeList, SshKeyOnlyWhenRecorded) {
  auto node = sample(1);
  EXPECT_FALSE(node_to_json(node).contains("ssh_key"));
  node.ssh_key = "/run/x/id_ed25519";
  EXPECT_EQ(node_to_json(node)["ssh_key"], "/run/x/id_ed25519");
  EXPECT_EQ(node_from_json(node_to_json(node)).ssh_key, "/run/x/id_ed25519");
}

TEST(RunState, LaunchRecordRoundTrip) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vmesh-launch-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  RunState state;
  state.name = "lab";
  state.dir = dir;
  state.nodes = {sample(1), sample(2)};
  state.relay_launch.relay = "/b/vmesh-relay";
  state.relay_launch.run_dir = dir;
  state.relay_launch.topology = "/t/line3.toml";
  state.relay_launch.ports = {4001, 4002, 4003, 4004};
  state.relay_launch.timeline_start_steady_ms = 123456;
  state.relay_launch.restarts = 2;
  state.relay_launch.capture = "/c/run.pcapng";
  state.node_launches = {{{"qemu-system-x86_64", "-m", "256"}, dir / "n1.qemu.log", {"true"}},
                         {{"qemu-system-x86_64"}, dir / "n2.qemu.log", {}}};
  save_run_state(state);
  const auto loaded = load_run_state(dir);
  EXPECT_EQ(loaded.relay_launch.relay, "/b/vmesh-relay");
  EXPECT_EQ(loaded.relay_launch.ports.control, 4003);
  EXPECT_EQ(loaded.relay_launch.ports.txstatus, 4004);
  EXPECT_EQ(loaded.relay_launch.timeline_start_steady_ms, 123456);
  EXPECT_EQ(loaded.relay_launch.restarts, 2);
  EXPECT_FALSE(loaded.relay_launch.timeline_waiting);
  EXPECT_EQ(loaded.relay_launch.capture_file(), "/c/run.pcapng.restart2");
  EXPECT_FALSE(loaded.relay_launch.stats_jsonl);
  ASSERT_EQ(loaded.node_launches.size(), 2u);
  EXPECT_EQ(loaded.node_launches[0].qemu_argv,
            (std::vector<std::string>{"qemu-system-x86_64", "-m", "256"}));
  EXPECT_EQ(loaded.node_launches[0].provision, std::vector<std::string>{"true"});
  EXPECT_EQ(loaded.node_launches[1].qemu_log, dir / "n2.qemu.log");
  std::filesystem::remove_all(dir);
}

TEST(RelayLaunch, FirstStartTakesAnyPortsRestartKeepsThemAndTheTimeline) {
  RelayLaunch launch;
  launch.relay = "/b/vmesh-relay";
  launch.run_dir = "/r";
  launch.topology = "/t/line3.toml";
  const auto now = std::chrono::steady_clock::time_point(std::chrono::milliseconds(50000));
  auto argv = relay_argv(launch, now);
  const auto has = [&argv](const std::string& a, const std::string& b) {
    for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
      if (argv[i] == a && argv[i + 1] == b) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("--ports-base", "0"));
  EXPECT_TRUE(has("--control-socket", "/r/control.sock"));
  EXPECT_TRUE(has("--topology", "/t/line3.toml"));
  EXPECT_FALSE(has("--timeline-start-ms", "48000"));
  launch.ports = {4001, 4002, 4003, 4004};
  launch.timeline_start_steady_ms = 2000;
  launch.restarts = 1;
  launch.capture = "/c/x.pcapng";
  argv = relay_argv(launch, now);
  EXPECT_TRUE(has("-t", "4001"));
  EXPECT_TRUE(has("-c", "4003"));
  EXPECT_TRUE(has("--port-txstatus", "4004"));
  EXPECT_TRUE(has("--timeline-start-ms", "48000"));
  EXPECT_TRUE(has("--pcap", "/c/x.pcapng.restart1"));
  // A timeline still waiting for the nodes is not continued: the new relay waits too.
  launch.timeline_waiting = true;
  argv = relay_argv(launch, now);
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--timeline-start-ms"), argv.end());
  EXPECT_TRUE(relay_launch_from_json(relay_launch_to_json(launch)).timeline_waiting);
}

TEST(RelayLaunch, VhostUserDirIsPassedOnEveryStartAndRecorded) {
  RelayLaunch launch;
  launch.relay = "/b/vmesh-relay";
  launch.run_dir = "/r";
  launch.topology = "/t/line3.toml";
  const auto now = std::chrono::steady_clock::time_point(std::chrono::milliseconds(50000));
  const auto count = [](const std::vector<std::string>& argv, const std::string& word) {
    return std::count(argv.begin(), argv.end(), word);
  };
  EXPECT_EQ(count(relay_argv(launch, now), "--vhost-user-dir"), 0);
  launch.vhost_user_dir = "/r/vhost";
  auto argv = relay_argv(launch, now);
  auto at = std::find(argv.begin(), argv.end(), "--vhost-user-dir");
  ASSERT_NE(at, argv.end());
  ASSERT_NE(at + 1, argv.end());
  EXPECT_EQ(*(at + 1), "/r/vhost");
  // A restart (same ports, timeline continued) listens in the same directory.
  launch.ports = {4001, 4002, 4003, 4004};
  launch.restarts = 1;
  argv = relay_argv(launch, now);
  at = std::find(argv.begin(), argv.end(), "--vhost-user-dir");
  ASSERT_NE(at, argv.end());
  EXPECT_EQ(*(at + 1), "/r/vhost");
  const auto loaded = relay_launch_from_json(relay_launch_to_json(launch));
  ASSERT_TRUE(loaded.vhost_user_dir);
  EXPECT_EQ(*loaded.vhost_user_dir, "/r/vhost");
  launch.vhost_user_dir.reset();
  EXPECT_FALSE(relay_launch_from_json(relay_launch_to_json(launch)).vhost_user_dir);
}

TEST(RelayLaunch, BoundAllNeedsEveryNode) {
  const std::string log = "bound to node n1 by mac\nbound to node n3 by mac\n";
  EXPECT_TRUE(relay_bound_all(log, {"n1", "n3"}));
  EXPECT_FALSE(relay_bound_all(log, {"n1", "n2"}));
  EXPECT_TRUE(relay_bound_all("", {}));
}

TEST(RunState, ProcessIdentityByStartTime) {
  const auto ticks = process_start_ticks(getpid());
  ASSERT_TRUE(ticks);
  EXPECT_TRUE(process_is(getpid(), *ticks));
  EXPECT_FALSE(process_is(getpid(), *ticks + 1));  // a recycled PID is not ours
  EXPECT_FALSE(process_start_ticks(-1));
}

}  // namespace
}  // namespace vmesh::launcher
