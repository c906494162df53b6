// End to end under real QEMU guests (TCG: each test takes tens of seconds). Skips with the
// reason when qemu is missing or the guest image cannot be built.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "launcher/run/run_state.hpp"
#include "tests/launcher/vmesh_test_support.hpp"
#include "tests/launcher/vmesh_vm_fixture.hpp"

namespace vmesh::launcher::test {
namespace {

using std::chrono::seconds;

const char* kPair = R"(
[meta]
name = "pair"
[medium]
default = "none"
channel = 1
[[node]]
name = "a"
[[node]]
name = "b"
[[link]]
nodes = ["a", "b"]
[[check]]
ping = { from = "a", to = "b", count = 3 }
deadline = "30s"
[[check]]
iperf = { from = "a", to = "b", min_mbps = 100000 }
deadline = "3s"
)";

class VmeshVm : public VmeshVmFixture {
 protected:
  VmeshVm() : VmeshVmFixture("vm") {}
  static void expect_gone(pid_t pid, std::uint64_t ticks, const std::string& what) {
    EXPECT_FALSE(process_is(pid, ticks)) << what << " (pid " << pid << ") is still running";
  }
  // Every QEMU and relay PID the report names is gone.
  static void expect_all_gone(const nlohmann::json& report) {
    ASSERT_GT(report.at("relay_pid").get<int>(), 0);
    expect_gone(report.at("relay_pid").get<pid_t>(), 0, "vmesh-relay");
    for (const auto& node : report.at("nodes")) {
      expect_gone(node.at("pid").get<pid_t>(), node.at("pid_start_ticks").get<std::uint64_t>(),
                  "QEMU of " + node.at("name").get<std::string>());
    }
  }
  // Starts line3, waits until every QEMU runs, sends `signal_number` to vmesh and checks
  // that vmesh exits with `expected_exit` and no QEMU or relay of the run is left.
  void interrupt_while_booting(int signal_number, int expected_exit) {
    auto child = start_vmesh({"run", VMESH_TOPOLOGIES_DIR "/line3.toml"}, env_, dir_.path);
    // state.json appears once the relay and every QEMU have been started.
    std::optional<RunState> state;
    const auto deadline = std::chrono::steady_clock::now() + seconds(300);
    while (!state && std::chrono::steady_clock::now() < deadline && !child.try_wait()) {
      const auto base = dir_.path / "runtime";
      if (std::filesystem::exists(base)) {
        for (const auto& user_dir : std::filesystem::directory_iterator(base)) {
          for (const auto& run_dir : std::filesystem::directory_iterator(user_dir)) {
            if (std::filesystem::exists(run_dir.path() / "state.json")) {
              state = load_run_state(run_dir.path());
            }
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!state) {
      child.stop(std::chrono::milliseconds(5000));
      const auto err = read_text_file(dir_.path / "vmesh.err");
      if (err.find("build-image.sh failed") != std::string::npos) GTEST_SKIP() << err;
      FAIL() << "vmesh never started the VMs: " << err;
    }
    ASSERT_EQ(state->nodes.size(), 3u);
    for (const auto& node : state->nodes) {
      EXPECT_TRUE(process_is(node.pid, node.pid_start_ticks)) << node.name << " not running";
    }
    kill(child.pid(), signal_number);
    const auto code = child.wait_for(std::chrono::milliseconds(30000));
    ASSERT_TRUE(code) << "vmesh did not exit within 30 s of signal " << signal_number;
    EXPECT_EQ(*code, expected_exit);
    // After SIGKILL nothing tears down but PR_SET_PDEATHSIG; give the kernel a moment.
    auto any_left = [&] {
      bool left = process_is(state->relay_pid, state->relay_start_ticks);
      for (const auto& node : state->nodes)
        left = left || process_is(node.pid, node.pid_start_ticks);
      return left;
    };
    for (int i = 0; i < 100 && any_left(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(process_is(state->relay_pid, state->relay_start_ticks)) << "relay still running";
    for (const auto& node : state->nodes) {
      EXPECT_FALSE(process_is(node.pid, node.pid_start_ticks))
          << "QEMU of " << node.name << " still running";
    }
  }
};

TEST_F(VmeshVm, Line3PassesRouteThroughTheMiddleAndStopsEverything) {
  const auto json_path = dir_.path / "report.json";
  const auto capture = dir_.path / "line3.pcapng";
  const auto stats = dir_.path / "line3-stats.jsonl";
  const auto result = run({"run", VMESH_TOPOLOGIES_DIR "/line3.toml", "--json", json_path.string(),
                           "--capture", capture.string(), "--stats", stats.string()});
  if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto report = nlohmann::json::parse(read_text_file(json_path));
  EXPECT_TRUE(report.at("passed").get<bool>());
  ASSERT_EQ(report.at("checks").size(), 3u);
  for (const auto& check : report.at("checks")) {
    EXPECT_EQ(check.at("result"), "pass") << check.dump();
  }
  EXPECT_EQ(report.at("checks")[1].at("name"), "route n1->n3 via n2");
  EXPECT_TRUE(report.at("relay_applies_topology").get<bool>())
      << "vmesh-relay without --topology: route/neighbour checks cannot mean much";
  ASSERT_EQ(report.at("nodes").size(), 3u);
  expect_all_gone(report);
  EXPECT_NE(result.out.find("PASSED"), std::string::npos);

  // --capture: the relay's pcapng holds frames sent by each of the three nodes.
  ASSERT_TRUE(std::filesystem::exists(capture));
  if (std::system("command -v tshark >/dev/null 2>&1") == 0) {
    const std::string command = "tshark -r " + capture.string() +
                                " -T fields -e frame.interface_name 2>/dev/null | sort -u";
    FILE* pipe = ::popen(command.c_str(), "r");
    std::string names;
    char buf[256];
    while (std::fgets(buf, sizeof(buf), pipe) != nullptr) names += buf;
    ::pclose(pipe);
    EXPECT_EQ(names, "n1\nn2\nn3\n") << "capture interfaces with frames";
  } else {
    EXPECT_GT(std::filesystem::file_size(capture), 1000u);
  }

  // --stats: the relay's JSON lines, named by the report. Every node was bound while the
  // mesh ran (the VMs stop before the relay, so the final line has no clients left), and
  // the last line has traffic on both links in both directions.
  EXPECT_EQ(report.at("relay_stats_jsonl"), stats.string());
  std::ifstream lines(stats);
  nlohmann::json last;
  int count = 0;
  std::set<std::string> nodes;
  for (std::string line; std::getline(lines, line); ++count) {
    last = nlohmann::json::parse(line);
    for (const auto& client : last.at("clients")) {
      if (client.at("node").is_string()) nodes.insert(client.at("node").get<std::string>());
    }
  }
  EXPECT_GE(count, 3) << "one line a second over a run of several seconds";
  std::set<std::string> links;
  for (const auto& link : last.at("links")) {
    if (link.at("delivered").get<long>() > 0)
      links.insert(link.at("from").get<std::string>() + "->" + link.at("to").get<std::string>());
  }
  EXPECT_EQ(links, (std::set<std::string>{"n1->n2", "n2->n1", "n2->n3", "n3->n2"}));
  EXPECT_EQ(nodes, (std::set<std::string>{"n1", "n2", "n3"}));
}

TEST_F(VmeshVm, FailingCheckExitsNonZeroAndKeepsLogs) {
  const auto topology = write("pair.toml", kPair);
  const auto json_path = dir_.path / "report.json";
  const auto result = run({"run", topology.string(), "--json", json_path.string()});
  if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  const auto report = nlohmann::json::parse(read_text_file(json_path));
  EXPECT_FALSE(report.at("passed").get<bool>());
  ASSERT_EQ(report.at("checks").size(), 2u);
  EXPECT_EQ(report.at("checks")[0].at("result"), "pass") << report.dump(2);
  EXPECT_EQ(report.at("checks")[1].at("result"), "fail");
  EXPECT_NE(report.at("checks")[1].at("detail").get<std::string>().find("Mbit/s"),
            std::string::npos)
      << report.dump(2);
  EXPECT_NE(result.err.find("logs kept in"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(report.at("nodes")[0].at("log").get<std::string>()));
  expect_all_gone(report);
}

TEST_F(VmeshVm, CommandReceivesTheNodeList) {
  const auto topology = write("pair.toml", kPair);
  const auto copy = dir_.path / "nodes-copy.json";
  const auto json_path = dir_.path / "report.json";
  const auto result = run({"run", topology.string(), "--json", json_path.string(), "--", "sh", "-c",
                           "cp \"$VMESH_NODES_FILE\" " + copy.string() +
                               " && test -f \"$VMESH_SSH_KEY\" && echo \"$VMESH_NODES\""});
  if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto nodes = nlohmann::json::parse(read_text_file(copy));
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].at("host"), "127.0.0.1");
  EXPECT_EQ(nodes[0].at("place_id"), "virtual-mesh-1");
  EXPECT_EQ(nodes[1].at("name"), "b");
  EXPECT_NE(result.out.find("a=127.0.0.1:"), std::string::npos) << result.out;
  expect_all_gone(nlohmann::json::parse(read_text_file(json_path)));
}

TEST_F(VmeshVm, UpStatusExecSshLogsDown) {
  auto up = run({"up", VMESH_TOPOLOGIES_DIR "/line3.toml", "--name", "lab"});
  if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("run 'lab' is up: 3 nodes"), std::string::npos) << up.out;

  const auto status = run({"status", "--name", "lab", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto json = nlohmann::json::parse(status.out);
  ASSERT_EQ(json.at("nodes").size(), 3u);
  EXPECT_TRUE(json.at("relay").at("running").get<bool>());
  // Per-link counters from the running relay: the formed mesh has carried frames n1 -> n2.
  bool n1_to_n2 = false;
  for (const auto& link : json.at("links")) {
    if (link.at("from") == "n1" && link.at("to") == "n2") {
      n1_to_n2 = link.at("delivered").get<std::uint64_t>() > 0;
    }
  }
  EXPECT_TRUE(n1_to_n2) << json.at("links").dump();
  const auto table = run({"status", "--name", "lab"});
  EXPECT_NE(table.out.find("n1->n2"), std::string::npos) << table.out;
  for (const auto& node : json.at("nodes"))
    EXPECT_TRUE(node.at("running").get<bool>()) << node.dump();

  const auto exec = run({"exec", "--all", "--name", "lab", "--", "cat", "/etc/hostname"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  for (const char* name : {"n1", "n2", "n3"}) {
    EXPECT_NE(exec.out.find(std::string("==== ") + name + " (exit 0)\n" + name + "\n"),
              std::string::npos)
        << exec.out;
  }
  const auto ssh = run({"ssh", "n2", "--name", "lab", "--", "batctl", "n"});
  EXPECT_EQ(ssh.exit_code, 0) << ssh.err;
  EXPECT_NE(ssh.out.find("02:00:00:00:01:00"), std::string::npos) << ssh.out;
  EXPECT_NE(ssh.out.find("02:00:00:00:03:00"), std::string::npos) << ssh.out;
  const auto failing = run({"ssh", "n1", "--name", "lab", "--", "exit", "7"});
  EXPECT_EQ(failing.exit_code, 7);
  // A command that reads its input gets the end of it (here /dev/null) instead of waiting.
  const auto reads_input = run({"ssh", "n1", "--name", "lab", "--", "cat", ";", "echo", "done"});
  EXPECT_EQ(reads_input.exit_code, 0) << reads_input.err;
  EXPECT_EQ(reads_input.out, "done\n");
  // What is piped into `vmesh ssh` is the command's input, byte for byte (300 kB). The
  // shell gets the input file as $1 and this vmesh as $2; its output is returned.
  const auto input = dir_.path / "input.bin";
  const auto shell = [&](const std::string& script, const std::string& tag) {
    SpawnOptions options;
    options.argv = {"sh", "-c", script, "sh", input.string(), VMESH_BIN};
    options.env = env_;
    options.stdout_to = dir_.path / (tag + ".out");
    options.stderr_to = dir_.path / (tag + ".err");
    auto child = ChildProcess::spawn(options);
    EXPECT_EQ(child.wait_for(std::chrono::seconds(90)), 0)
        << tag << ": " << read_text_file(dir_.path / (tag + ".err"));
    return read_text_file(dir_.path / (tag + ".out"));
  };
  std::istringstream sums(
      shell("head -c 300000 /dev/urandom > \"$1\" && md5sum < \"$1\" && "
            "\"$2\" ssh n1 --name lab -- md5sum < \"$1\"",
            "piped"));
  std::string local_sum, local_name, remote_sum;
  sums >> local_sum >> local_name >> remote_sum;
  EXPECT_EQ(local_sum.size(), 32U) << sums.str();
  EXPECT_EQ(remote_sum, local_sum) << sums.str();
  // exec --all --stdin gives every node's command the whole piped input.
  const std::string fan_out =
      shell("\"$2\" exec --all --stdin --name lab -- md5sum < \"$1\"", "fan-out");
  for (const char* name : {"n1", "n2", "n3"}) {
    EXPECT_NE(fan_out.find(std::string("==== ") + name + " (exit 0)\n" + local_sum),
              std::string::npos)
        << fan_out;
  }
  const auto logs = run({"logs", "n1", "--name", "lab"});
  EXPECT_NE(logs.out.find("vmesh-init: ready"), std::string::npos);
  const auto link = run({"link", "set", "n1", "n2", "delay=5ms", "loss=0.1", "--name", "lab"});
  EXPECT_EQ(link.exit_code, 0) << link.err;
  EXPECT_NE(link.out.find("applied"), std::string::npos) << link.out;
  const auto bad_link = run({"link", "set", "n1", "n9", "loss=0.1", "--name", "lab"});
  EXPECT_EQ(bad_link.exit_code, 2);
  EXPECT_NE(bad_link.err.find("unknown node 'n9'"), std::string::npos) << bad_link.err;

  const auto down = run({"down", "--name", "lab"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  expect_gone(json.at("relay").at("pid").get<pid_t>(), 0, "vmesh-relay");
  for (const auto& node : json.at("nodes")) {
    expect_gone(node.at("pid").get<pid_t>(), node.at("pid_start_ticks").get<std::uint64_t>(),
                "QEMU of " + node.at("name").get<std::string>());
  }
  EXPECT_FALSE(std::filesystem::exists(json.at("dir").get<std::string>()));
}

TEST_F(VmeshVm, SigintWhileBootingLeavesNoProcess) {
  interrupt_while_booting(SIGINT, 130);
}

TEST_F(VmeshVm, KilledVmeshLeavesNoProcess) {
  interrupt_while_booting(SIGKILL, 128 + SIGKILL);
}

}  // namespace
}  // namespace vmesh::launcher::test
