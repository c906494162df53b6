// vmesh-relay's event loop: io_uring listeners, one state machine per connection, and a
// Router deciding where frames go. The loop only carries the router's results out (sends,
// the delay queue, the capture, TX statuses). Single-threaded; nothing here blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "medium/topology.hpp"
#include "relay/capture/capture_writer.hpp"
#include "relay/core/delay_queue.hpp"
#include "relay/core/queue_drops.hpp"
#include "relay/core/relay_core.hpp"
#include "relay/core/router.hpp"
#include "relay/core/stats_jsonl.hpp"
#include "relay/core/stats_snapshot.hpp"
#include "relay/io/connection.hpp"
#include "relay/io/jsonl_appender.hpp"
#include "relay/io/relay_options.hpp"
#include "relay/io/ring.hpp"
#include "relay/io/socket_path.hpp"
#include "relay/io/topology_loader.hpp"
#include "relay/io/vhost_handover.hpp"

#include <sys/signalfd.h>

namespace vmesh::relay {

struct BoundPorts {
  std::optional<std::uint16_t> vsock;
  std::uint16_t tcp = 0;
  std::uint16_t spy = 0;
  std::uint16_t control = 0;
  std::optional<std::uint16_t> metrics;  // --metrics-listen
  std::uint16_t txstatus = 0;
};

class RelayServer {
 public:
  // Parses the topology (once), opens the listeners (and --control-socket) and the ring;
  // blocks SIGINT/SIGTERM into a signalfd. Throws std::system_error naming the failing
  // call (e.g. a port in use), medium::TopologyError or UsageError.
  explicit RelayServer(const RelayOptions& options);
  ~RelayServer();
  RelayServer(const RelayServer&) = delete;
  RelayServer& operator=(const RelayServer&) = delete;

  // Serves until SIGINT or SIGTERM. Returns the process exit code.
  int run();

  const BoundPorts& ports() const { return ports_; }

 private:
  struct Listener {
    UniqueFd fd;
    ConnKind kind = ConnKind::client;
    const char* name = "";
    bool armed = false;
    std::int64_t retry_at_ms = -1;       // after EMFILE and friends
    bool tx_status = false;              // clients here are offered the TX-status extension
    std::optional<medium::NodeId> node;  // a node's vhost-user socket: who connects here
  };

  // Peer ids of vhost-user front ends: far above what vwifi derives from an IPv4 address or
  // a CID, so a node's id is never taken over by a TCP client.
  static constexpr PeerId kVhostPeerIdBase = 0x40000000;

  RelayServer(const RelayOptions& options, std::optional<medium::Topology> topology);
  void open_listeners();

  // The capture (relay_capture.cpp). start_capture throws std::system_error (the file) or
  // bad_alloc (its buffer); finish_capture joins the writer once it has written all.
  void open_capture();  // --pcap
  void start_capture(const std::string& path);
  capture::CaptureWriter::Totals finish_capture();
  void close_capture_at_exit();
  // `capture start PATH` / `capture stop`: the reply line.
  std::string run_capture_command(const TextCommand& command);

  // Event handlers (relay_server.cpp).
  void dispatch(const Completion& completion);
  void on_accept(std::uint32_t listener_index, const Completion& completion);
  void on_recv(std::uint32_t slot, int res);
  void on_send(std::uint32_t slot, int res);

  // Traffic (relay_traffic.cpp).
  void handle_frames(std::uint32_t slot);
  // Carries one routed frame out: capture, deliveries now and later, the TX status.
  void carry_out(std::uint32_t slot, std::span<const std::uint8_t> message,
                 const RouteResult& result);
  void capture_frame(std::uint32_t slot, std::span<const std::uint8_t> message,
                     const RouteResult& result);
  void deliver_due();
  // False when the receiver's send queue is full (counted on the connection).
  bool enqueue(std::uint32_t slot, std::span<const std::uint8_t> message, std::int8_t power_dbm);
  // Hello and TX statuses: small, one per frame the client itself sent, so they may exceed
  // the frame bound by a fixed allowance (a client that stops reading still hits the stall
  // timeout).
  void enqueue_protocol(std::uint32_t slot, std::span<const std::uint8_t> message);
  void flush_sends();
  // Puts the connection on this turn's flush list (once).
  void mark_dirty(std::uint32_t slot);
  std::uint64_t medium_time_us() const { return now_us_ - start_us_ + timeline_offset_us_; }
  std::int64_t wait_budget_ns(std::int64_t next_tick_ms) const;

  // vhost-user front ends (relay_vhost.cpp).
  void open_vhost_listeners();
  void on_vhost_accept(const Listener& listener, UniqueFd fd);
  // A front end of `node` on a new slot (accepted, or taken over), bound to its node.
  std::uint32_t open_vhost_connection(medium::NodeId node, UniqueFd fd, std::string_view how);
  void on_vhost_socket(std::uint32_t slot, int res);
  void on_vhost_kick(std::uint32_t field, int res, std::uint32_t generation);
  void drain_vhost_tx(std::uint32_t slot);
  void arm_vhost_poll(std::uint32_t slot);
  void arm_kick(std::uint32_t slot, std::uint32_t queue);
  void cancel_kicks(std::uint32_t slot);
  bool deliver_vhost(Connection& c, std::span<const std::uint8_t> message, std::int8_t power_dbm);
  void flush_vhost(std::uint32_t slot);
  std::string vhost_close_detail(const Connection& c) const;

  // Handing the vhost-user front ends to a new relay, and taking them over
  // (relay_handover.cpp). A handover takes the medium down at once (start_handover), lets
  // the loop run until no operation of the ring touches a front end any more, then ends
  // the loop; run() answers the command and serves the handover socket (serve_handover).
  void start_handover(std::uint32_t slot, const TextCommand& command);
  bool handover_quiet() const;
  std::size_t front_end_ops_in_flight() const;
  int serve_handover();
  std::vector<vhost::HandoverRecord> handover_records(std::string& summary);
  // --vhost-take-over: receives the old relay's front ends (kept in taken_) and returns its
  // node listeners; nothing on a failed handover (logged). take_listener picks the one of a
  // node if it is a listening socket at `path`.
  std::vector<HandedListener> take_vhost_handover();
  UniqueFd take_listener(std::vector<HandedListener>& handed, const std::string& node,
                         const std::string& path);
  void adopt_taken_connections();

  // Control surfaces (relay_control.cpp).
  void handle_control(std::uint32_t slot);
  void handle_command(std::uint32_t slot);
  void request_reload(std::uint32_t slot, const std::string& path);
  void on_reload_done();
  void reply_and_close(std::uint32_t slot, std::string_view reply);

  // Observability (relay_stats.cpp).
  StatsSnapshot take_snapshot() const;
  void write_stats_line();
  void finish_stats_file();
  void handle_metrics(std::uint32_t slot);
  void write_stats_file() const;
  void write_ports_file() const;

  // Connection lifetime (relay_server.cpp).
  std::uint32_t open_connection(UniqueFd fd, ConnKind kind);
  void begin_close(std::uint32_t slot, const std::string& reason, bool log = true);
  void release_if_idle(std::uint32_t slot);
  void check_timeouts();
  void arm_accept(std::uint32_t listener_index);
  void arm_recv(std::uint32_t slot);
  void arm_send(std::uint32_t slot);
  void arm_signal();

  RelayOptions options_;
  std::uint64_t seed_;  // from --seed, else the topology's, else random: chosen once
  RelayCore core_;
  std::unique_ptr<Router> router_;
  Ring ring_;
  std::vector<Listener> listeners_;
  SocketPath control_socket_;              // --control-socket, unlinked at exit
  std::vector<std::string> node_names_;    // the topology's, for the vhost-user sockets
  std::vector<SocketPath> vhost_sockets_;  // --vhost-user-dir, unlinked at exit
  BoundPorts ports_;
  UniqueFd signal_fd_;
  signalfd_siginfo signal_info_{};
  bool stop_ = false;
  std::int64_t now_ms_ = 0;
  std::uint64_t now_us_ = 0;
  std::uint64_t start_us_ = 0;
  std::uint64_t timeline_offset_us_ = 0;  // --timeline-start-ms
  DelayQueue delayed_;
  QueueDrops queue_drops_;                           // deliveries the send queues refused, per link
  std::unique_ptr<TopologyLoader> loader_;           // started by the first reload
  std::uint64_t loader_count_ = 0;                   // read target of the loader's eventfd
  std::unique_ptr<capture::CaptureWriter> capture_;  // null when no capture runs
  std::string capture_path_;
  std::vector<capture::CaptureVerdict> capture_verdicts_;
  std::uint64_t realtime_offset_us_ = 0;  // CLOCK_REALTIME - CLOCK_MONOTONIC, for capture stamps
  std::vector<std::unique_ptr<Connection>> conns_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> dirty_;
  std::vector<std::uint8_t> hello_scratch_;
  // A `vhost handover` under way: from the command until the process exits.
  struct Handover {
    std::string path;
    std::uint64_t wait_ms = 0;
    UniqueFd listener;  // SOCK_SEQPACKET, owner-only, at path
    SocketPath socket;
    std::uint32_t reply_slot = 0;  // the command's connection, answered once the loop ended
    std::int64_t quiet_by_ms = 0;  // stop waiting for cancelled ring operations then
  };
  std::optional<Handover> handover_;
  std::vector<HandedConnection> taken_;  // --vhost-take-over: served from run() on
  bool took_over_ = false;               // the take-over succeeded; taken_ not yet served
  std::unique_ptr<JsonlAppender> stats_jsonl_;
  StatsJsonl stats_lines_;
  std::int64_t next_stats_ms_ = -1;    // when the next --stats-jsonl line is due
  std::uint64_t frames_in_total_ = 0;  // messages from clients and spies, all connections
};

}  // namespace vmesh::relay
