// Command line parsing and the VIRTUAL_MESH_* settings, including the node limit message.
#include "launcher/cli/cli_options.hpp"

#include <map>

#include <gtest/gtest.h>

namespace vmesh::launcher {
namespace {

CliOptions parse(std::vector<std::string> args) {
  return parse_cli(args);
}

GetEnv env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> const char* {
    auto it = values.find(name);
    return it == values.end() ? nullptr : it->second.c_str();
  };
}

TEST(Cli, RunWithEverything) {
  const auto o = parse({"run", "topologies/line3.toml", "--nodes", "2", "--keep", "--json",
                        "out.json", "--timeout", "5m", "--", "pytest", "-x", "--nodes"});
  EXPECT_EQ(o.command, Command::run);
  EXPECT_EQ(o.topology, "topologies/line3.toml");
  EXPECT_EQ(o.nodes, 2u);
  EXPECT_TRUE(o.keep);
  EXPECT_EQ(o.json_path, "out.json");
  EXPECT_EQ(o.timeout_s, 300u);
  EXPECT_EQ(o.command_argv, (std::vector<std::string>{"pytest", "-x", "--nodes"}));
}

TEST(Cli, StatsAndGraphOptions) {
  EXPECT_EQ(parse({"up", "t.toml", "--stats", "s.jsonl"}).stats_path, "s.jsonl");
  EXPECT_EQ(parse({"run", "t.toml", "--stats", "s.jsonl"}).stats_path, "s.jsonl");
  EXPECT_THROW(parse({"status", "--stats", "s.jsonl"}), UsageError);
  const auto graph = parse({"graph", "t.toml", "-o", "t.png", "--format", "png"});
  EXPECT_EQ(graph.command, Command::graph);
  EXPECT_EQ(graph.topology, "t.toml");
  EXPECT_EQ(graph.output_path, "t.png");
  EXPECT_EQ(graph.graph_format, GraphFormat::png);
  const auto live = parse({"graph", "--live", "--name", "lab"});
  EXPECT_TRUE(live.live);
  EXPECT_TRUE(live.topology.empty());
  EXPECT_THROW(parse({"graph"}), UsageError);
  EXPECT_THROW(parse({"graph", "a.toml", "b.toml"}), UsageError);
  EXPECT_THROW(parse({"graph", "a.toml", "--format", "jpeg"}), UsageError);
  EXPECT_THROW(parse({"run", "a.toml", "--live"}), UsageError);
}

TEST(Cli, AdminCommands) {
  EXPECT_EQ(parse({"down", "--name", "lab"}).run_name, "lab");
  EXPECT_TRUE(parse({"status", "--json"}).json_output);
  const auto ssh = parse({"ssh", "n2", "--", "batctl", "o"});
  EXPECT_EQ(ssh.node, "n2");
  EXPECT_EQ(ssh.command_argv.size(), 2u);
  EXPECT_TRUE(parse({"exec", "--all", "--", "uptime"}).all);
  EXPECT_FALSE(parse({"exec", "--all", "--", "uptime"}).exec_stdin);
  EXPECT_TRUE(parse({"exec", "--all", "--stdin", "--", "cat"}).exec_stdin);
  EXPECT_EQ(parse({"logs", "n1"}).command, Command::logs);
  EXPECT_EQ(parse({}).command, Command::help);
}

TEST(Cli, Capture) {
  const std::vector<std::string> args = {"run", "t.toml", "--capture", "out.pcapng"};
  const auto o = parse_cli(args);
  ASSERT_TRUE(o.capture_path);
  EXPECT_EQ(*o.capture_path, "out.pcapng");
}

TEST(Cli, ActionsOnARunningMesh) {
  const auto kill = parse({"node", "kill", "n2", "--name", "lab"});
  EXPECT_EQ(kill.command, Command::node);
  EXPECT_EQ(kill.action, "kill");
  EXPECT_EQ(kill.node, "n2");
  EXPECT_EQ(kill.run_name, "lab");
  const auto start = parse({"node", "start", "n2", "--json", "--timeout", "300s"});
  EXPECT_EQ(start.action, "start");
  EXPECT_TRUE(start.json_output);
  EXPECT_EQ(start.timeout_s, 300u);
  const auto restart = parse({"relay", "restart", "--down-for", "2s", "--json"});
  EXPECT_EQ(restart.command, Command::relay);
  EXPECT_EQ(restart.down_for_ms, 2000u);
  EXPECT_EQ(parse({"relay", "restart"}).down_for_ms, 500u);
  const auto capture = parse({"capture", "start", "a.pcapng"});
  EXPECT_EQ(capture.action, "start");
  EXPECT_EQ(capture.file, "a.pcapng");
  EXPECT_EQ(parse({"capture", "stop"}).action, "stop");
  EXPECT_EQ(parse({"stats", "--name", "lab"}).command, Command::stats);
  EXPECT_THROW(parse({"node", "reboot", "n2"}), UsageError);
  EXPECT_THROW(parse({"node", "kill"}), UsageError);
  EXPECT_THROW(parse({"node", "kill", "n1", "n2"}), UsageError);
  EXPECT_THROW(parse({"relay", "stop"}), UsageError);
  EXPECT_THROW(parse({"capture", "start"}), UsageError);
  EXPECT_THROW(parse({"capture", "stop", "x"}), UsageError);
  EXPECT_THROW(parse({"relay", "restart", "--down-for", "soon"}), UsageError);
}

TEST(Cli, SshKeyOptionsBelongToRunAndUp) {
  const auto up = parse({"up", "t.toml", "--authorized-keys", "a.pub", "--authorized-keys", "b.pub",
                         "--ssh-key-only"});
  EXPECT_EQ(up.authorized_keys, (std::vector<std::filesystem::path>{"a.pub", "b.pub"}));
  EXPECT_TRUE(up.ssh_key_only);
  EXPECT_FALSE(parse({"run", "t.toml"}).ssh_key_only);
  EXPECT_THROW(parse({"status", "--ssh-key-only"}), UsageError);
  EXPECT_THROW(parse({"down", "--authorized-keys", "a.pub"}), UsageError);
}

TEST(Cli, RelayTransportIsLeftToTheTopologyUnlessGivenAndRejectsUnknownWords) {
  EXPECT_FALSE(parse({"run", "t.toml"}).relay_transport);
  EXPECT_EQ(parse({"up", "t.toml", "--relay-transport", "tcp"}).relay_transport,
            RelayTransport::tcp);
  EXPECT_EQ(parse({"run", "t.toml", "--relay-transport", "serial"}).relay_transport,
            RelayTransport::serial);
  EXPECT_EQ(parse({"run", "t.toml", "--relay-transport", "vhost-user"}).relay_transport,
            RelayTransport::vhost_user);
  EXPECT_EQ(parse({"up", "t.toml", "--relay-transport", "vhost-user"}).relay_transport,
            RelayTransport::vhost_user);
  for (const char* word : {"udp", "vhost_user", "vhost"}) {
    const std::vector<std::string> bad = {"run", "t.toml", "--relay-transport", word};
    try {
      parse_cli(bad);
      FAIL() << word << " accepted";
    } catch (const UsageError& error) {
      EXPECT_NE(std::string(error.what())
                    .find(std::string("serial, tcp or vhost-user, not '") + word + "'"),
                std::string::npos)
          << error.what();
    }
  }
}

TEST(Cli, LinkSet) {
  const std::vector<std::string> args = {"link",     "set",    "n1",     "n2",
                                         "loss=0.3", "oneway", "--name", "lab"};
  const auto o = parse_cli(args);
  EXPECT_EQ(o.command, Command::link);
  EXPECT_EQ(o.run_name, "lab");
  EXPECT_EQ(o.link_words, (std::vector<std::string>{"set", "n1", "n2", "loss=0.3", "oneway"}));
  const std::vector<std::string> short_args = {"link", "set", "n1", "n2"};
  EXPECT_THROW(parse_cli(short_args), UsageError);
  const std::vector<std::string> wrong_verb = {"link", "show", "n1", "n2", "loss=0"};
  EXPECT_THROW(parse_cli(wrong_verb), UsageError);
}

TEST(Cli, ErrorsNameTheProblem) {
  auto message = [](std::vector<std::string> args) {
    try {
      parse_cli(args);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({"run"}).find("TOPOLOGY"), std::string::npos);
  EXPECT_NE(message({"run", "a.toml", "--bogus"}).find("--bogus"), std::string::npos);
  EXPECT_NE(message({"run", "a.toml", "--nodes", "x"}).find("--nodes"), std::string::npos);
  EXPECT_NE(message({"run", "a.toml", "--nodes", "0"}).find("at least 1"), std::string::npos);
  EXPECT_NE(message({"run", "a.toml", "--timeout"}).find("needs a value"), std::string::npos);
  EXPECT_NE(message({"frobnicate"}).find("frobnicate"), std::string::npos);
  EXPECT_NE(message({"exec", "--", "ls"}).find("--all"), std::string::npos);
  EXPECT_NE(message({"ssh", "n1", "--stdin", "--", "cat"}).find("--stdin is for"),
            std::string::npos);
  EXPECT_NE(message({"link", "set", "a", "b"}).find("usage: vmesh link set"), std::string::npos);
  EXPECT_NE(message({"run", "a.toml", "b.toml"}).find("b.toml"), std::string::npos);
}

TEST(EnvSettings, DefaultsAndValues) {
  const auto none = read_env_settings(env_of({}));
  EXPECT_EQ(none.ssh_base_port, 2222);
  EXPECT_FALSE(none.nodes);
  EXPECT_FALSE(none.image);
  const auto set = read_env_settings(env_of({{"VIRTUAL_MESH_NODES", "2"},
                                             {"VIRTUAL_MESH_MAX_NODES", "4"},
                                             {"VIRTUAL_MESH_SSH_BASE_PORT", "3000"},
                                             {"VIRTUAL_MESH_IMAGE", "/x/disk.qcow2"},
                                             {"VMESH_ACCEL", "kvm"}}));
  EXPECT_EQ(set.nodes, 2u);
  EXPECT_EQ(set.max_nodes, 4u);
  EXPECT_EQ(set.ssh_base_port, 3000);
  EXPECT_EQ(set.image, "/x/disk.qcow2");
  EXPECT_EQ(set.accel, Accel::kvm);
}

TEST(EnvSettings, BadValuesNameTheVariable) {
  try {
    read_env_settings(env_of({{"VIRTUAL_MESH_SSH_BASE_PORT", "70000"}}));
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("VIRTUAL_MESH_SSH_BASE_PORT"), std::string::npos);
  }
  EXPECT_THROW(read_env_settings(env_of({{"VIRTUAL_MESH_NODES", "three"}})), UsageError);
  EXPECT_THROW(read_env_settings(env_of({{"VMESH_ACCEL", "hvf"}})), UsageError);
  EXPECT_THROW(read_env_settings(env_of({{"VIRTUAL_MESH_SSH_BASE_PORT", "22"}})), UsageError);
}

TEST(NodeCount, CliThenEnvThenTopology) {
  EnvSettings env;
  EXPECT_EQ(resolve_node_count(std::nullopt, env, 3, "line3"), 3u);
  EXPECT_EQ(resolve_node_count(2, env, 3, "line3"), 2u);
  env.nodes = 2;
  EXPECT_EQ(resolve_node_count(std::nullopt, env, 3, "line3"), 2u);
  EXPECT_EQ(resolve_node_count(1, env, 3, "line3"), 1u);
  env.nodes = 9;  // capped at what the topology has
  EXPECT_EQ(resolve_node_count(std::nullopt, env, 3, "line3"), 3u);
  EXPECT_THROW(resolve_node_count(4, EnvSettings{}, 3, "line3"), UsageError);
}

TEST(NodeCount, MaxNodesLimitMessageNamesTheLimit) {
  EnvSettings env;
  env.max_nodes = 2;
  try {
    resolve_node_count(std::nullopt, env, 3, "line3");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(
        e.what(),
        "line3 needs 3 nodes, but VIRTUAL_MESH_MAX_NODES=2 allows at most 2 (use --nodes to "
        "start fewer)");
  }
  EXPECT_EQ(resolve_node_count(2, env, 3, "line3"), 2u);
}

TEST(Duration, Units) {
  EXPECT_EQ(parse_duration_s("90", "t"), 90u);
  EXPECT_EQ(parse_duration_s("90s", "t"), 90u);
  EXPECT_EQ(parse_duration_s("2m", "t"), 120u);
  EXPECT_THROW(parse_duration_s("fast", "t"), UsageError);
  EXPECT_EQ(parse_duration_ms("500ms", "t"), 500u);
  EXPECT_EQ(parse_duration_ms("2s", "t"), 2000u);
  EXPECT_EQ(parse_duration_ms("3", "t"), 3000u);
  EXPECT_THROW(parse_duration_ms("601s", "t"), UsageError);
  EXPECT_THROW(parse_duration_ms("ms", "t"), UsageError);
}

}  // namespace
}  // namespace vmesh::launcher
