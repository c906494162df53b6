// The relay's two control surfaces: vwifi-ctrl's binary orders on the TCP control port,
// and vmesh's text commands on the owner-only Unix socket (--control-socket). Text sent to
// the TCP port is refused: anyone on the host can reach it, and the text commands change
// the medium and open files. A reload's file is parsed by the TopologyLoader, off the loop.
#include <system_error>

#include "relay/core/text_command.hpp"
#include "relay/io/log.hpp"
#include "relay/io/relay_server.hpp"
#include "relay/io/user_data.hpp"

namespace vmesh::relay {

namespace {

constexpr std::string_view kTextOnTcpRefused =
    "error: text commands are served only on the relay's owner-only control socket "
    "(--control-socket PATH); this port takes vwifi-ctrl orders\n";

}  // namespace

void RelayServer::reply_and_close(std::uint32_t slot, std::string_view reply) {
  Connection& c = *conns_[slot];
  if (reply.empty()) return begin_close(slot, "order done", false);
  c.state = ConnState::replying;
  c.queued.insert(c.queued.end(), reply.begin(), reply.end());
  mark_dirty(slot);
}

void RelayServer::handle_control(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  if (is_text_command({c.rx.get(), c.rx_len})) {
    logf("control: text command on the TCP control port from {} refused", c.peer.text);
    return reply_and_close(slot, kTextOnTcpRefused);
  }
  const ControlParse parsed = parse_control_request({c.rx.get(), c.rx_len});
  if (parsed.status == ControlParseStatus::need_more) return;
  if (parsed.status == ControlParseStatus::invalid) {
    return begin_close(slot, fmt::format("invalid control order: {}", parsed.error));
  }
  const ControlOutcome outcome = core_.handle_control(parsed.request);
  if (options_.verbose) {
    logf("control order {} from {}", static_cast<int>(parsed.request.order), c.peer.text);
  }
  if (outcome.close_all_peers) {
    logf("control order: closing all clients and spies");
    for (std::uint32_t other = 0; other < conns_.size(); ++other) {
      Connection& o = *conns_[other];
      if (o.live() && is_peer(o.kind)) begin_close(other, "closed by control order");
    }
  }
  reply_and_close(slot, std::string_view(reinterpret_cast<const char*>(outcome.reply.data()),
                                         outcome.reply.size()));
}

void RelayServer::handle_command(std::uint32_t slot) {
  Connection& c = *conns_[slot];
  const TextParse parsed = parse_text_command({c.rx.get(), c.rx_len});
  if (parsed.status == TextParse::Status::need_more) return;
  if (parsed.status == TextParse::Status::invalid) {
    return reply_and_close(slot, "error: " + parsed.error + "\n");
  }
  if (parsed.command.kind == TextCommand::Kind::capture_start ||
      parsed.command.kind == TextCommand::Kind::capture_stop) {
    return reply_and_close(slot, run_capture_command(parsed.command));
  }
  if (parsed.command.kind == TextCommand::Kind::vhost_handover)
    return start_handover(slot, parsed.command);
  const CommandReply answer = router_->run_command(parsed.command, queue_drops_, medium_time_us());
  if (!answer.log.empty()) logf("control: {}", answer.log);
  if (!answer.load_path.empty()) return request_reload(slot, answer.load_path);
  reply_and_close(slot, answer.reply);
}

void RelayServer::request_reload(std::uint32_t slot, const std::string& path) {
  if (!loader_) {
    try {
      loader_ = std::make_unique<TopologyLoader>();
    } catch (const std::system_error& e) {  // no eventfd or thread: the relay carries on
      logf("control: reload {}: cannot start the loader: {}", path, e.what());
      return reply_and_close(slot, fmt::format("error: cannot start the loader: {}\n", e.what()));
    }
    ring_.read(loader_->event_fd(), &loader_count_, sizeof(loader_count_),
               encode_op(OpKind::reload_done, 0, 0));
  }
  Connection& c = *conns_[slot];
  c.state = ConnState::working;
  loader_->request({slot, c.generation, path});
}

void RelayServer::on_reload_done() {
  for (TopologyLoader::Result& done : loader_->take_results()) {
    const TopologyLoader::Request& asked = done.request;
    Connection& c = *conns_[asked.slot];
    // Applied even if the asker left: the change was requested and is logged.
    const CommandReply answer =
        router_->finish_reload(asked.path, std::move(done.load), medium_time_us());
    if (!answer.log.empty()) logf("control: {}", answer.log);
    if (c.state == ConnState::working && c.generation == asked.generation)
      reply_and_close(asked.slot, answer.reply);
  }
  ring_.read(loader_->event_fd(), &loader_count_, sizeof(loader_count_),
             encode_op(OpKind::reload_done, 0, 0));
}

}  // namespace vmesh::relay
