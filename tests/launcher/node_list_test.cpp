// The node list JSON (pytest fixture format) and the run state file.
#include "launcher/run/node_list.hpp"

#include <unistd.h>

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

TEST(RunState, ProcessIdentityByStartTime) {
  const auto ticks = process_start_ticks(getpid());
  ASSERT_TRUE(ticks);
  EXPECT_TRUE(process_is(getpid(), *ticks));
  EXPECT_FALSE(process_is(getpid(), *ticks + 1));  // a recycled PID is not ours
  EXPECT_FALSE(process_start_ticks(-1));
}

}  // namespace
}  // namespace vmesh::launcher
