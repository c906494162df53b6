#include "relay/io/relay_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace vmesh::relay {

namespace {

template <typename T>
T parse_number(const std::string& flag, const std::string& text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    throw UsageError(fmt::format("{}: expected a number in range, got '{}'", flag, text));
  }
  return value;
}

bool is_ipv4(const std::string& text) {
  int parts = 0;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t dot = std::min(text.find('.', at), text.size());
    unsigned octet = 0;
    const auto [end, ec] = std::from_chars(text.data() + at, text.data() + dot, octet);
    if (dot == at || dot - at > 3 || ec != std::errc{} || end != text.data() + dot || octet > 255)
      return false;
    ++parts;
    at = dot + 1;
  }
  return parts == 4;
}

}  // namespace

ListenAddress parse_listen_address(const std::string& flag, const std::string& text) {
  ListenAddress result{"127.0.0.1", 0};
  std::string port_text = text;
  if (text.starts_with("[")) {
    throw UsageError(
        fmt::format("{}: '{}': IPv6 is not supported; use an IPv4 address", flag, text));
  }
  if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    result.ipv4_address = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (!is_ipv4(result.ipv4_address)) {
      throw UsageError(
          fmt::format("{}: '{}' is not an IPv4 address (expected [IPV4:]PORT, e.g. "
                      "127.0.0.1:9100)",
                      flag, result.ipv4_address));
    }
  }
  std::uint32_t port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
      port > 65535) {
    throw UsageError(fmt::format(
        "{}: '{}' is not a port number 0-65535 (expected [IPV4:]PORT, e.g. 127.0.0.1:9100)", flag,
        port_text));
  }
  result.port = static_cast<std::uint16_t>(port);
  return result;
}

std::string relay_usage() {
  return R"(usage: vmesh-relay [options]
Frame relay for mac80211_hwsim guests, wire-compatible with vwifi-server.

vwifi-server options:
  -p, --port-vhost PORT     VSOCK port for clients (default 8211)
  -t, --port-tcp PORT       TCP port for clients (default 8212)
  -s, --port-spy PORT       TCP port for spies (default 8213)
  -c, --port-ctrl PORT      TCP port for vwifi-ctrl (default 8214)
  -l, --lost-packets        enable vwifi's distance-based packet loss
  -u, --use-port-in-hash    add the source port to TCP client ids (needed when all
                            clients arrive from one address, e.g. QEMU user-mode net)
  -v, --verbose             log every control order
  -h, --help                this text
vmesh options:
      --bind ADDR           IPv4 address of the TCP listeners (default 127.0.0.1)
      --port-txstatus PORT  TCP port for vmesh-agent clients that take the medium's
                            TX status (honest ACKs; default 8215, see docs/relay.md)
      --ports-base N        VSOCK N, TCP N+1, spy N+2, control N+3, TX status N+4
                            (0: any free ports)
      --no-vsock            do not listen on VSOCK
      --seed N              seed of the loss decisions (default: random, logged)
      --queue-bytes N       per-receiver send queue bound; beyond it frames are dropped
                            for that receiver (default 524288)
      --stall-timeout-ms N  close a receiver whose socket accepts nothing for N ms (3000)
      --partial-timeout-ms N  close a sender that leaves a frame half-sent for N ms (1000)
      --control-timeout-ms N  close a control connection silent for N ms (1000)
      --control-socket PATH serve vmesh's text commands (stats, link set, reload, capture,
                            vhost handover) on a Unix socket at PATH, created owner-only
                            (0600), replacing a stale socket there and removed at exit; the
                            TCP control port refuses them (it takes vwifi-ctrl orders only)
      --vhost-user-dir DIR  serve each topology node's mac80211_hwsim virtio device over
                            vhost-user at DIR/NODE.sock (owner-only, removed at exit): a
                            QEMU connected there is that node, with no agent in its guest
                            (needs --topology; see docs/relay.md "vhost-user")
      --vhost-take-over PATH  at start, take over the vhost-user front ends and node
                            sockets of a relay that was told 'vhost handover PATH' on its
                            control socket: the guests keep their connections (needs
                            --vhost-user-dir and the same --topology); a failed handover
                            is logged and the relay starts without them
      --ports-file PATH     write {"tcp":P,"spy":P,"control":P,"vsock":P,"txstatus":P}
                            once listening
      --topology FILE       use the topology medium of FILE (who hears whom, loss, delay,
                            events) instead of vwifi's; clients are matched to nodes by
                            their radios' MAC prefix; the seed defaults to [meta] seed
      --stats-file PATH     write per-link counters as JSON on exit (with --topology)
      --timeline-start-ms N start the topology's timeline at N ms instead of 0: events
                            before N apply at once (a relay restarted in the middle of a run);
                            N > 0 also starts a timeline that would wait for `timeline start`
      --check-topology FILE validate FILE, print a summary and exit (1 on error)
      --busy-poll-us N      spin up to N us for new work before sleeping: lower latency
                            on hosts with slow wake-ups, at the cost of CPU (default 0)
      --pcap FILE           capture every frame as pcapng (radiotap + 802.11, one interface
                            per node, the relay's verdict per receiver as packet comment)
      --pcap-max-bytes N    rotate the capture to FILE.1 past N bytes (default 268435456)
      --stats-jsonl FILE    append one JSON line of per-link and per-client counters to
                            FILE every interval (schema in docs/relay.md)
      --stats-interval-ms N interval of --stats-jsonl (default 1000, 10-3600000)
      --metrics-listen [ADDR:]PORT  serve GET /metrics (Prometheus text format) on
                            ADDR:PORT; ADDR defaults to 127.0.0.1, PORT 0 picks one
      --metrics-timeout-ms N  close an HTTP connection not done within N ms (2000)
      --version             print the version
)";
}

std::optional<RelayOptions> parse_relay_options(const std::vector<std::string>& args) {
  RelayOptions opts;
  bool interval_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(fmt::format("{} needs a value", arg));
      return args[++i];
    };
    auto port = [&]() { return parse_number<std::uint16_t>(arg, value()); };

    if (arg == "-h" || arg == "--help") {
      std::fputs(relay_usage().c_str(), stdout);
      return std::nullopt;
    } else if (arg == "--version") {
      std::puts("vmesh-relay 0.1.0");
      return std::nullopt;
    } else if (arg == "-p" || arg == "--port-vhost") {
      opts.vsock_port = port();
    } else if (arg == "-t" || arg == "--port-tcp") {
      opts.tcp_port = port();
    } else if (arg == "-s" || arg == "--port-spy") {
      opts.spy_port = port();
    } else if (arg == "-c" || arg == "--port-ctrl") {
      opts.control_port = port();
    } else if (arg == "--port-txstatus") {
      opts.txstatus_port = port();
    } else if (arg == "-l" || arg == "--lost-packets") {
      opts.loss_enabled = true;
    } else if (arg == "-u" || arg == "--use-port-in-hash") {
      opts.use_port_in_hash = true;
    } else if (arg == "-v" || arg == "--verbose") {
      opts.verbose = true;
    } else if (arg == "--bind") {
      opts.bind_address = value();
    } else if (arg == "--ports-base") {
      const auto base = parse_number<std::uint32_t>(arg, value());
      if (base != 0 && base + 4 > 65535)
        throw UsageError("--ports-base: N+4 must be a port number");
      const auto at = [&](std::uint32_t offset) {
        return static_cast<std::uint16_t>(base == 0 ? 0 : base + offset);
      };
      opts.vsock_port = at(0);
      opts.tcp_port = at(1);
      opts.spy_port = at(2);
      opts.control_port = at(3);
      opts.txstatus_port = at(4);
    } else if (arg == "--no-vsock") {
      opts.vsock_enabled = false;
    } else if (arg == "--seed") {
      opts.seed = parse_number<std::uint64_t>(arg, value());
      opts.seed_given = true;
    } else if (arg == "--queue-bytes") {
      opts.queue_bytes = parse_number<std::size_t>(arg, value());
      if (opts.queue_bytes < 20000)
        throw UsageError("--queue-bytes: at least 20000 (one largest frame)");
    } else if (arg == "--stall-timeout-ms") {
      opts.stall_timeout_ms = parse_number<std::uint32_t>(arg, value());
    } else if (arg == "--partial-timeout-ms") {
      opts.partial_timeout_ms = parse_number<std::uint32_t>(arg, value());
    } else if (arg == "--control-timeout-ms") {
      opts.control_timeout_ms = parse_number<std::uint32_t>(arg, value());
    } else if (arg == "--control-socket") {
      opts.control_socket = value();
      if (opts.control_socket.empty()) throw UsageError("--control-socket: empty path");
    } else if (arg == "--vhost-user-dir") {
      opts.vhost_user_dir = value();
      if (opts.vhost_user_dir.empty()) throw UsageError("--vhost-user-dir: empty path");
    } else if (arg == "--vhost-take-over") {
      opts.vhost_take_over = value();
      if (opts.vhost_take_over.empty()) throw UsageError("--vhost-take-over: empty path");
    } else if (arg == "--ports-file") {
      opts.ports_file = value();
    } else if (arg == "--topology") {
      opts.topology_file = value();
    } else if (arg == "--stats-file") {
      opts.stats_file = value();
    } else if (arg == "--busy-poll-us") {
      opts.busy_poll_us = parse_number<std::uint32_t>(arg, value());
    } else if (arg == "--timeline-start-ms") {
      opts.timeline_start_ms = parse_number<std::uint32_t>(arg, value());
    } else if (arg == "--pcap") {
      opts.pcap_file = value();
    } else if (arg == "--pcap-max-bytes") {
      opts.pcap_max_bytes = parse_number<std::uint64_t>(arg, value());
      if (opts.pcap_max_bytes < 65536) throw UsageError("--pcap-max-bytes: at least 65536");
    } else if (arg == "--stats-jsonl") {
      opts.stats_jsonl_file = value();
      if (opts.stats_jsonl_file.empty()) throw UsageError("--stats-jsonl: empty file name");
    } else if (arg == "--stats-interval-ms") {
      opts.stats_interval_ms = parse_number<std::uint32_t>(arg, value());
      interval_given = true;
      if (opts.stats_interval_ms < 10 || opts.stats_interval_ms > 3'600'000)
        throw UsageError("--stats-interval-ms: between 10 and 3600000");
    } else if (arg == "--metrics-listen") {
      const ListenAddress listen = parse_listen_address(arg, value());
      opts.metrics_enabled = true;
      opts.metrics_address = listen.ipv4_address;
      opts.metrics_port = listen.port;
    } else if (arg == "--metrics-timeout-ms") {
      opts.metrics_timeout_ms = parse_number<std::uint32_t>(arg, value());
      if (opts.metrics_timeout_ms == 0) throw UsageError("--metrics-timeout-ms: at least 1");
    } else if (arg == "--check-topology") {
      opts.check_topology_file = value();
    } else {
      throw UsageError(fmt::format("unknown option '{}' (see --help)", arg));
    }
  }
  if (!opts.vhost_user_dir.empty() && opts.topology_file.empty())
    throw UsageError(
        "--vhost-user-dir needs --topology FILE: its sockets are named after the nodes");
  if (!opts.vhost_take_over.empty() && opts.vhost_user_dir.empty())
    throw UsageError(
        "--vhost-take-over needs --vhost-user-dir DIR (and the old relay's --topology)");
  if (interval_given && opts.stats_jsonl_file.empty())
    throw UsageError("--stats-interval-ms needs --stats-jsonl FILE");
  return opts;
}

}  // namespace vmesh::relay
