// RelayServer's setup and its files: the topology (parsed once), listeners, signals, the
// ports file written once listening and the per-link stats file on exit (the capture is in
// relay_capture.cpp).
#include <signal.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "medium/topology_parser.hpp"
#include "relay/io/log.hpp"
#include "relay/io/relay_server.hpp"

namespace vmesh::relay {

namespace {

constexpr unsigned kSqEntries = 4096;
constexpr unsigned kCqEntries = 16384;

// The one parse of --topology at start; the seed and the router both come from it.
std::optional<medium::Topology> load_start_topology(const RelayOptions& options) {
  if (options.topology_file.empty()) return std::nullopt;
  return medium::load_topology_file(options.topology_file);
}

RelaySettings settings_from(const RelayOptions& options) {
  RelaySettings s;
  s.loss_enabled = options.loss_enabled;
  s.tcp_port = options.tcp_port;
  s.vsock_port = options.vsock_port;
  return s;
}

}  // namespace

const char* to_string(ConnKind kind) {
  switch (kind) {
    case ConnKind::client:
      return "client";
    case ConnKind::spy:
      return "spy";
    case ConnKind::control:
      return "control";
    case ConnKind::command:
      return "command";
    case ConnKind::metrics:
      return "metrics";
    case ConnKind::vhost:
      return "vhost-user";
  }
  return "?";
}

RelayServer::RelayServer(const RelayOptions& options)
    : RelayServer(options, load_start_topology(options)) {}

RelayServer::RelayServer(const RelayOptions& options, std::optional<medium::Topology> topology)
    : options_(options),
      seed_(choose_seed(options.seed_given ? std::optional(options.seed) : std::nullopt, topology)),
      core_(settings_from(options), seed_),
      ring_(kSqEntries, kCqEntries) {
  if (topology) {
    for (const auto& node : topology->nodes) node_names_.push_back(node.name);
  }
  router_ = make_router(core_, std::move(topology), seed_);
  if (const std::string summary = router_->start_summary(); !summary.empty()) {
    logf("topology {} {}", options.topology_file, summary);
  }
  delayed_.track_links(router_->node_count());
  queue_drops_ = QueueDrops(router_->node_count());
  // Blocked before any thread starts (the capture writer, the reload worker), so only the
  // signalfd sees them.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) < 0) {
    throw std::system_error(errno, std::system_category(), "sigprocmask");
  }
  signal_fd_.reset(::signalfd(-1, &mask, SFD_CLOEXEC));
  if (!signal_fd_) throw std::system_error(errno, std::system_category(), "signalfd");
  open_listeners();
  if (!options.stats_jsonl_file.empty()) {
    try {
      stats_jsonl_ = std::make_unique<JsonlAppender>(options.stats_jsonl_file);
    } catch (const std::system_error& e) {
      throw UsageError(fmt::format("--stats-jsonl: {}", e.what()));
    }
    logf("stats every {} ms to {}", options.stats_interval_ms, options.stats_jsonl_file);
  }
  open_capture();
  // A receiver that vanished mid-send must cost us an error code, not the process.
  ::signal(SIGPIPE, SIG_IGN);
}

void RelayServer::open_listeners() {
  const RelayOptions& options = options_;
  const auto add = [&](UniqueFd fd, ConnKind kind, const char* name) {
    listeners_.push_back(Listener{std::move(fd), kind, name, false, -1});
    return bound_port(listeners_.back().fd.get());
  };
  ports_.tcp = add(listen_tcp(options.bind_address, options.tcp_port), ConnKind::client, "clients");
  ports_.spy = add(listen_tcp(options.bind_address, options.spy_port), ConnKind::spy, "spies");
  ports_.control =
      add(listen_tcp(options.bind_address, options.control_port), ConnKind::control, "control");
  ports_.txstatus = add(listen_tcp(options.bind_address, options.txstatus_port), ConnKind::client,
                        "TX-status clients");
  listeners_.back().tx_status = true;
  if (options.vsock_enabled) {
    try {
      ports_.vsock = add(listen_vsock(options.vsock_port), ConnKind::client, "vsock clients");
    } catch (const std::system_error& e) {
      logf("VSOCK unavailable ({}); serving TCP only", e.what());
    }
  }
  if (options.metrics_enabled) {
    try {
      ports_.metrics = add(listen_tcp(options.metrics_address, options.metrics_port),
                           ConnKind::metrics, "metrics");
    } catch (const std::system_error& e) {
      throw UsageError(fmt::format("--metrics-listen {}:{}: {}", options.metrics_address,
                                   options.metrics_port, e.what()));
    }
  }
  if (!options.control_socket.empty()) {
    try {
      add(listen_unix(options.control_socket), ConnKind::command, "control socket");
    } catch (const std::system_error& e) {
      throw UsageError(fmt::format("--control-socket: {}", e.what()));
    }
    control_socket_ = SocketPath(options.control_socket);
  }
  open_vhost_listeners();
  core_.set_ports(ports_.tcp, ports_.vsock.value_or(0));
}

RelayServer::~RelayServer() = default;

void RelayServer::write_ports_file() const {
  if (options_.ports_file.empty()) return;
  const std::string tmp = options_.ports_file + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) {
    logf("cannot write ports file {}: {}", tmp, std::strerror(errno));
    return;
  }
  const std::string vsock = ports_.vsock ? std::to_string(*ports_.vsock) : "null";
  const std::string metrics =
      ports_.metrics ? fmt::format(",\"metrics\":{}", *ports_.metrics) : std::string();
  std::fprintf(f, "{\"tcp\":%u,\"spy\":%u,\"control\":%u,\"vsock\":%s,\"txstatus\":%u%s}\n",
               ports_.tcp, ports_.spy, ports_.control, vsock.c_str(), ports_.txstatus,
               metrics.c_str());
  std::fclose(f);
  std::rename(tmp.c_str(), options_.ports_file.c_str());
}

void RelayServer::write_stats_file() const {
  if (options_.stats_file.empty()) return;
  const std::optional<std::string> json = router_->stats_json(queue_drops_);
  if (!json) return;  // the vwifi medium has no per-link counters
  FILE* f = std::fopen(options_.stats_file.c_str(), "w");
  if (f == nullptr) {
    logf("cannot write stats file {}: {}", options_.stats_file, std::strerror(errno));
    return;
  }
  std::fprintf(f, "%s\n", json->c_str());
  std::fclose(f);
}

}  // namespace vmesh::relay
