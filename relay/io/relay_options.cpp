#include "relay/io/relay_options.hpp"

#include <fmt/format.h>

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

}  // namespace

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
      --ports-base N        VSOCK N, TCP N+1, spy N+2, control N+3 (0: any free ports)
      --no-vsock            do not listen on VSOCK
      --seed N              seed of the loss decisions (default: random, logged)
      --queue-bytes N       per-receiver send queue bound; beyond it frames are dropped
                            for that receiver (default 524288)
      --stall-timeout-ms N  close a receiver whose socket accepts nothing for N ms (3000)
      --partial-timeout-ms N  close a sender that leaves a frame half-sent for N ms (1000)
      --control-timeout-ms N  close a control connection silent for N ms (1000)
      --ports-file PATH     write {"tcp":P,"spy":P,"control":P,"vsock":P} once listening
      --topology FILE       use the topology medium of FILE (who hears whom, loss, delay,
                            events) instead of vwifi's; clients are matched to nodes by
                            their radios' MAC prefix; the seed defaults to [meta] seed
      --stats-file PATH     write per-link counters as JSON on exit (with --topology)
      --check-topology FILE validate FILE, print a summary and exit (1 on error)
      --busy-poll-us N      spin up to N us for new work before sleeping: lower latency
                            on hosts with slow wake-ups, at the cost of CPU (default 0)
      --pcap FILE           capture every frame as pcapng (radiotap + 802.11, one interface
                            per node, the relay's verdict per receiver as packet comment)
      --pcap-max-bytes N    rotate the capture to FILE.1 past N bytes (default 268435456)
      --version             print the version
)";
}

std::optional<RelayOptions> parse_relay_options(const std::vector<std::string>& args) {
  RelayOptions opts;
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
      if (base != 0 && base + 3 > 65535)
        throw UsageError("--ports-base: N+3 must be a port number");
      const auto at = [&](std::uint32_t offset) {
        return static_cast<std::uint16_t>(base == 0 ? 0 : base + offset);
      };
      opts.vsock_port = at(0);
      opts.tcp_port = at(1);
      opts.spy_port = at(2);
      opts.control_port = at(3);
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
    } else if (arg == "--ports-file") {
      opts.ports_file = value();
    } else if (arg == "--topology") {
      opts.topology_file = value();
    } else if (arg == "--stats-file") {
      opts.stats_file = value();
    } else if (arg == "--busy-poll-us") {
      opts.busy_poll_us = parse_number<std::uint32_t>(arg, value());
    } else if (arg == "--pcap") {
      opts.pcap_file = value();
    } else if (arg == "--pcap-max-bytes") {
      opts.pcap_max_bytes = parse_number<std::uint64_t>(arg, value());
      if (opts.pcap_max_bytes < 65536) throw UsageError("--pcap-max-bytes: at least 65536");
    } else if (arg == "--check-topology") {
      opts.check_topology_file = value();
    } else {
      throw UsageError(fmt::format("unknown option '{}' (see --help)", arg));
    }
  }
  return opts;
}

}  // namespace vmesh::relay
