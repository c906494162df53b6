// Command line of vmesh-relay: vwifi-server's flags plus vmesh's own.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vmesh::relay {

struct RelayOptions {
  std::string bind_address = "127.0.0.1";  // vwifi binds 0.0.0.0; we default to loopback
  std::uint16_t vsock_port = 8211;
  std::uint16_t tcp_port = 8212;
  std::uint16_t spy_port = 8213;
  std::uint16_t control_port = 8214;
  std::uint16_t txstatus_port = 8215;  // vmesh-agent clients that take the medium's TX status
  bool vsock_enabled = true;
  bool loss_enabled = false;      // -l
  bool use_port_in_hash = false;  // -u
  bool verbose = false;           // -v
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::size_t queue_bytes = 512 * 1024;     // per-receiver send queue bound
  std::uint32_t stall_timeout_ms = 3000;    // receiver making no progress this long is closed
  std::uint32_t partial_timeout_ms = 1000;  // half-received frame this long closes the peer
  std::uint32_t control_timeout_ms = 1000;  // control order must arrive within this
  std::string ports_file;                   // JSON with the bound ports, written when ready
  std::string topology_file;                // --topology: the topology medium instead of vwifi's
  std::string stats_file;                   // per-link counters written on exit (topology mode)
  std::string check_topology_file;          // --check-topology: validate, summarize, exit
  std::uint32_t busy_poll_us = 0;           // spin this long for work before sleeping
  std::string pcap_file;                    // pcapng capture of every relayed frame
  std::uint64_t pcap_max_bytes = 256ull << 20;  // then FILE is rotated to FILE.1
  std::string stats_jsonl_file;                 // one JSON line of counters per interval
  std::uint32_t stats_interval_ms = 1000;
  // The topology's clock at start: a relay restarted mid-run continues its timeline
  // (events before this time apply at once).
  std::uint64_t timeline_start_ms = 0;
  bool metrics_enabled = false;  // --metrics-listen: GET /metrics over HTTP
  std::string metrics_address = "127.0.0.1";
  std::uint16_t metrics_port = 0;           // 0: any free port (in the ports file)
  std::uint32_t metrics_timeout_ms = 2000;  // whole HTTP exchange must end within this
  // --control-socket: owner-only Unix socket for the text commands (stats, link set,
  // reload); empty: none (the TCP control port takes vwifi-ctrl orders only).
  std::string control_socket;
  // --vhost-user-dir: one vhost-user socket per topology node, DIR/NODE.sock, where the
  // node's QEMU presents mac80211_hwsim's virtio device (no agent in the guest).
  std::string vhost_user_dir;
  // --vhost-take-over: at start, take the vhost-user front ends (and node sockets) a relay
  // hands over at this socket (`vhost handover PATH` on its control socket).
  std::string vhost_take_over;
};

struct ListenAddress {
  std::string ipv4_address;
  std::uint16_t port = 0;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses argv. Returns nullopt after printing help or version (exit 0). Throws UsageError.
std::optional<RelayOptions> parse_relay_options(const std::vector<std::string>& args);

std::string relay_usage();

// "[IPV4:]PORT" (e.g. "127.0.0.1:9100", "9100"; address 127.0.0.1 when only a port is
// given; port 0 picks a free one). Throws UsageError naming `flag` and what is wrong.
ListenAddress parse_listen_address(const std::string& flag, const std::string& text);

}  // namespace vmesh::relay
