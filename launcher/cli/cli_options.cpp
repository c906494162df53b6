#include "launcher/cli/cli_options.hpp"

#include <charconv>

#include <fmt/format.h>

namespace vmesh::launcher {
namespace {

std::uint64_t parse_number(const std::string& text, const std::string& what, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || value > max) {
    throw UsageError(fmt::format("{}: '{}' is not a number between 0 and {}", what, text, max));
  }
  return value;
}

Command command_from(const std::string& word) {
  if (word == "run") return Command::run;
  if (word == "up") return Command::up;
  if (word == "down") return Command::down;
  if (word == "status") return Command::status;
  if (word == "ssh") return Command::ssh;
  if (word == "exec") return Command::exec;
  if (word == "logs") return Command::logs;
  if (word == "help" || word == "-h" || word == "--help") return Command::help;
  if (word == "link") return Command::link;
  if (word == "graph") return Command::graph;
  if (word == "node") return Command::node;
  if (word == "relay") return Command::relay;
  if (word == "capture") return Command::capture;
  if (word == "stats") return Command::stats;
  throw UsageError(fmt::format("unknown command '{}' (try 'vmesh help')", word));
}

// node kill|start NODE, relay restart, capture start FILE | capture stop.
CliOptions finish_action_command(CliOptions options, const std::vector<std::string>& words) {
  const auto expect = [&](std::size_t count, const char* usage) {
    if (words.size() != count) throw UsageError(fmt::format("usage: vmesh {}", usage));
  };
  const std::string action = words.empty() ? "" : words[0];
  switch (options.command) {
    case Command::node:
      if (action != "kill" && action != "start")
        throw UsageError("usage: vmesh node kill|start NODE [--name RUN]");
      expect(2, "node kill|start NODE [--name RUN]");
      options.node = words[1];
      break;
    case Command::relay:
      expect(1, "relay restart [--down-for D] [--name RUN]");
      if (action != "restart") throw UsageError("usage: vmesh relay restart [--down-for D]");
      break;
    default:
      if (action == "start") {
        expect(2, "capture start FILE [--name RUN]");
        options.file = words[1];
      } else if (action == "stop") {
        expect(1, "capture stop [--name RUN]");
      } else {
        throw UsageError("usage: vmesh capture start FILE | vmesh capture stop");
      }
      break;
  }
  options.action = action;
  return options;
}

}  // namespace

std::string usage_text() {
  return R"(usage: vmesh COMMAND ...
  run TOPOLOGY [--nodes N] [--image DISK] [--keep] [--json FILE] [--capture FILE]
      [--stats FILE] [--relay-transport serial|tcp|vhost-user] [--timeout T]
      [--ready-timeout T]
      [-- COMMAND...]
      start the relay and one VM per node, wait for the mesh, run the topology's checks
      (or COMMAND, with VMESH_NODES_FILE naming the node list), report, tear down.
      --capture: the relay writes every frame as pcapng (one interface per node, verdicts
      as packet comments; open with Wireshark/tshark).
      --relay-transport serial|tcp|vhost-user: how the radios reach the relay (run, up;
      overrides the topology's [medium] transport). serial (default): the agent uses a
      virtio-serial port QEMU connects to the relay; tcp: guest TCP via user-mode net;
      vhost-user: no agent, mac80211_hwsim's virtio device served by the relay (QEMU >=
      10.2; built once from Debian 13 when the host's is older).
      --stats: the relay appends its per-link and per-client counters to FILE as one JSON
      line a second (schema in docs/relay.md).
      --authorized-keys FILE (run, up; repeatable): public keys root accepts next to the
      run's own key and ~/.ssh/id_*.pub. --ssh-key-only (run, up): root needs a key (by
      default root's password is empty and `ssh -p PORT root@127.0.0.1` just works).
      --image DISK|RECIPE.toml (run, up; or VIRTUAL_MESH_IMAGE): every node boots this
      firmware image (raw or qcow2, never written) with its own vwifi client, set up by
      its recipe (DISK.vmesh.toml beside it, else configs/images/libremesh.toml); see
      docs/firmware-images.md.
      --ready-timeout T (run, up; default 5m, within --timeout): how long to wait for
      every node's profile: mesh routes, an AP beaconing, a station associated with its
      address, an IBSS cell with its peers; the error names what each node waited for.
  up TOPOLOGY [--name RUN] [--nodes N] [--image DISK] [--capture FILE] [--stats FILE]
      [--relay-transport serial|tcp|vhost-user] [--timeout T]
      [--ready-timeout T]
      start, leave running
  down [--name RUN]                                    stop a run started by up
  status [--name RUN] [--json]                         nodes, PIDs, ports of a run
  ssh NODE [--name RUN] [-- CMD...]                    shell or command on a node
  exec --all [--name RUN] [--stdin] -- CMD...          command on every node; --stdin gives
      each node's command the whole piped input (read first, at most 64 MiB)
  logs NODE [--name RUN]                               serial console log of a node
  link set A B key=value... [oneway] [--name RUN]      change a link of a running mesh:
      loss=P delay=D jitter=D rate=R signal=DBM (e.g. loss=0.3 delay=20ms); both ways
      unless oneway; applied by the relay at once, nobody reconnects
  node kill NODE [--name RUN]                          power cut: the node's VM is killed
  node start NODE [--name RUN] [--json] [--timeout T]  boot a killed node again (same VM,
      same addresses), wait for SSH and its provision commands; prints the boot time
  relay restart [--down-for D] [--name RUN] [--json]   stop the relay, wait D (500ms),
      start it on the same ports with its timeline continued, wait for every node
  capture start FILE [--name RUN]                      the relay starts writing pcapng
  capture stop [--name RUN]                            ... and stops (prints the totals)
  stats [--name RUN]                                   the relay's counters as JSON
  graph TOPOLOGY [-o FILE] [--format svg|dot|png]    who hears whom, with link parameters,
      rendered by Graphviz's dot (format from --format, else FILE's extension, else svg;
      without -o to stdout)
  graph [TOPOLOGY] --live [--name RUN] [-o FILE] [--format F]   the same for a run started
      by up, each link labelled with the relay's measured delivery ratio and frames
environment: VIRTUAL_MESH_NODES, VIRTUAL_MESH_MAX_NODES, VIRTUAL_MESH_SSH_BASE_PORT (2222),
  VIRTUAL_MESH_IMAGE (as --image), VMESH_ACCEL=tcg|kvm, VMESH_CACHE_DIR,
  VMESH_BOOT_PARALLEL (nodes booting at once; default 4 per usable CPU)
)";
}

std::uint32_t parse_duration_ms(const std::string& text, const std::string& what) {
  std::string digits = text;
  std::uint64_t scale = 1000;
  if (digits.ends_with("ms")) {
    scale = 1;
    digits.resize(digits.size() - 2);
  } else if (digits.ends_with("s")) {
    digits.pop_back();
  }
  return static_cast<std::uint32_t>(parse_number(digits, what, 600000 / scale) * scale);
}

std::uint32_t parse_duration_s(const std::string& text, const std::string& what) {
  std::string digits = text;
  std::uint64_t scale = 1;
  if (!digits.empty() && (digits.back() == 's' || digits.back() == 'm')) {
    scale = digits.back() == 'm' ? 60 : 1;
    digits.pop_back();
  }
  return static_cast<std::uint32_t>(parse_number(digits, what, 86400) * scale);
}

CliOptions parse_cli(std::span<const std::string> args) {
  CliOptions options;
  if (args.empty()) return options;
  options.command = command_from(args[0]);
  if (options.command == Command::help) return options;
  std::vector<std::string> positional;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(fmt::format("{} needs a value", arg));
      return args[++i];
    };
    if (arg == "--") {
      options.command_argv.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (arg == "--nodes") {
      options.nodes = parse_number(value(), "--nodes", 254);
    } else if (arg == "--keep") {
      options.keep = true;
    } else if (arg == "--json") {
      // run writes its report to a file; elsewhere --json asks for JSON on stdout.
      if (options.command != Command::run) {
        options.json_output = true;
      } else {
        options.json_path = value();
      }
    } else if (arg == "--capture") {
      options.capture_path = value();
    } else if (arg == "--relay-transport") {
      const std::string& transport = value();
      options.relay_transport = parse_relay_transport(transport);
      if (!options.relay_transport) {
        throw UsageError(fmt::format("--relay-transport must be {}, not '{}'",
                                     relay_transport_names(), transport));
      }
    } else if (arg == "--stats") {
      options.stats_path = value();
    } else if (arg == "-o" || arg == "--output") {
      options.output_path = value();
    } else if (arg == "--format") {
      const std::string& format = value();
      if (format == "svg") {
        options.graph_format = GraphFormat::svg;
      } else if (format == "dot") {
        options.graph_format = GraphFormat::dot;
      } else if (format == "png") {
        options.graph_format = GraphFormat::png;
      } else {
        throw UsageError(fmt::format("--format: '{}' is not svg, dot or png", format));
      }
    } else if (arg == "--live") {
      options.live = true;
    } else if (arg == "--timeout") {
      options.timeout_s = parse_duration_s(value(), "--timeout");
    } else if (arg == "--ready-timeout") {
      options.ready_timeout_s = parse_duration_s(value(), "--ready-timeout");
    } else if (arg == "--name") {
      options.run_name = value();
    } else if (arg == "--all") {
      options.all = true;
    } else if (arg == "--stdin") {
      options.exec_stdin = true;
    } else if (arg == "--down-for") {
      options.down_for_ms = parse_duration_ms(value(), "--down-for");
    } else if (arg == "--authorized-keys") {
      options.authorized_keys.emplace_back(value());
    } else if (arg == "--ssh-key-only") {
      options.ssh_key_only = true;
    } else if (arg == "--image") {
      options.image = std::filesystem::path(value());
    } else if (arg.starts_with("-") && arg.size() > 1) {
      throw UsageError(fmt::format("unknown option '{}' (try 'vmesh help')", arg));
    } else {
      positional.push_back(arg);
    }
  }
  if (options.command == Command::link) {
    if (positional.size() < 4 || positional[0] != "set") {
      throw UsageError("usage: vmesh link set A B key=value... [oneway] [--name RUN]");
    }
    options.link_words = positional;
    return options;
  }
  if (options.command == Command::node || options.command == Command::relay ||
      options.command == Command::capture) {
    return finish_action_command(std::move(options), positional);
  }
  const bool is_graph = options.command == Command::graph;
  if ((options.output_path || options.graph_format || options.live) && !is_graph) {
    throw UsageError(
        fmt::format("-o, --format and --live are options of 'graph', not '{}'", args[0]));
  }
  const bool starts_run = options.command == Command::run || options.command == Command::up;
  if (options.stats_path && !starts_run) {
    throw UsageError(fmt::format("--stats is an option of 'run' and 'up', not '{}'", args[0]));
  }
  if (options.image && !starts_run) {
    throw UsageError(fmt::format("--image is an option of 'run' and 'up', not '{}'", args[0]));
  }
  if ((!options.authorized_keys.empty() || options.ssh_key_only) && !starts_run) {
    throw UsageError(fmt::format(
        "--authorized-keys and --ssh-key-only are options of 'run' and 'up', not '{}'", args[0]));
  }
  if (is_graph) {
    if (positional.size() > 1)
      throw UsageError(fmt::format("unexpected argument '{}'", positional[1]));
    if (positional.empty() && !options.live) {
      throw UsageError("'graph' needs a TOPOLOGY file (or --live for a run started by up)");
    }
    if (!positional.empty()) options.topology = positional[0];
    return options;
  }
  const bool wants_topology = options.command == Command::run || options.command == Command::up;
  const bool wants_node = options.command == Command::ssh || options.command == Command::logs;
  const std::size_t expected = wants_topology || wants_node ? 1 : 0;
  if (positional.size() != expected) {
    if (positional.size() < expected) {
      throw UsageError(
          fmt::format("'{}' needs a {}", args[0], wants_topology ? "TOPOLOGY file" : "NODE name"));
    }
    throw UsageError(fmt::format("unexpected argument '{}'", positional[expected]));
  }
  if (wants_topology) options.topology = positional[0];
  if (wants_node) options.node = positional[0];
  if (options.nodes && *options.nodes == 0) throw UsageError("--nodes must be at least 1");
  if (options.command == Command::exec && (!options.all || options.command_argv.empty())) {
    throw UsageError("usage: vmesh exec --all -- CMD...");
  }
  if (options.exec_stdin && options.command != Command::exec)
    throw UsageError("--stdin is for 'vmesh exec --all'");
  if (options.command == Command::up && !options.command_argv.empty()) {
    throw UsageError("'up' takes no command; use 'vmesh exec --all -- CMD'");
  }
  return options;
}

EnvSettings read_env_settings(const GetEnv& getenv) {
  EnvSettings env;
  auto text = [&](const char* name) -> std::optional<std::string> {
    const char* v = getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  if (auto v = text("VIRTUAL_MESH_NODES")) env.nodes = parse_number(*v, "VIRTUAL_MESH_NODES", 254);
  if (auto v = text("VIRTUAL_MESH_MAX_NODES")) {
    env.max_nodes = parse_number(*v, "VIRTUAL_MESH_MAX_NODES", 254);
  }
  if (auto v = text("VIRTUAL_MESH_SSH_BASE_PORT")) {
    const auto port = parse_number(*v, "VIRTUAL_MESH_SSH_BASE_PORT", 65000);
    if (port < 1024) {
      throw UsageError(
          fmt::format("VIRTUAL_MESH_SSH_BASE_PORT: {} is a privileged port; use 1024-65000", port));
    }
    env.ssh_base_port = static_cast<std::uint16_t>(port);
  }
  env.image = text("VIRTUAL_MESH_IMAGE");
  if (auto v = text("VMESH_BOOT_PARALLEL")) {
    env.boot_parallel = parse_number(*v, "VMESH_BOOT_PARALLEL", 254);
    if (*env.boot_parallel == 0)
      throw UsageError("VMESH_BOOT_PARALLEL: 0 would boot no node; give 1 or more");
  }
  if (auto v = text("VMESH_ACCEL")) {
    if (*v == "kvm") {
      env.accel = Accel::kvm;
    } else if (*v == "tcg") {
      env.accel = Accel::tcg;
    } else {
      throw UsageError(fmt::format("VMESH_ACCEL: '{}' is neither kvm nor tcg", *v));
    }
  }
  return env;
}

std::size_t resolve_node_count(std::optional<std::size_t> cli_nodes, const EnvSettings& env,
                               std::size_t topology_nodes, const std::string& topology_name) {
  std::size_t count = topology_nodes;
  if (cli_nodes) {
    if (*cli_nodes > topology_nodes) {
      throw UsageError(fmt::format("--nodes {}: {} defines only {} nodes", *cli_nodes,
                                   topology_name, topology_nodes));
    }
    count = *cli_nodes;
  } else if (env.nodes) {
    count = std::min(*env.nodes, topology_nodes);
  }
  if (count == 0) throw UsageError(fmt::format("{}: no nodes to start", topology_name));
  if (env.max_nodes && count > *env.max_nodes) {
    throw UsageError(
        fmt::format("{} needs {} nodes, but VIRTUAL_MESH_MAX_NODES={} allows at most {} "
                    "(use --nodes to start fewer)",
                    topology_name, count, *env.max_nodes, *env.max_nodes));
  }
  return count;
}

}  // namespace vmesh::launcher
