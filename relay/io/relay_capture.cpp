// The capture's lifetime: opened by --pcap at start or `capture start PATH` on the control
// socket, closed by `capture stop` or at exit. The data path only checks whether one runs
// (relay_traffic.cpp); everything else about starting and stopping lives here.
#include <new>
#include <system_error>

#include "relay/core/stats_jsonl.hpp"
#include "relay/io/log.hpp"
#include "relay/io/relay_server.hpp"

namespace vmesh::relay {

namespace {

// Indexed by medium::Verdict's value, as CaptureVerdict::verdict is.
std::vector<std::string> verdict_names() {
  std::vector<std::string> names;
  for (auto v : {medium::Verdict::deliver, medium::Verdict::drop_loss, medium::Verdict::drop_deaf,
                 medium::Verdict::drop_rate, medium::Verdict::drop_node_down,
                 medium::Verdict::drop_channel}) {
    names.emplace_back(medium::to_string(v));
  }
  return names;
}

std::string describe(const capture::CaptureWriter::Totals& totals) {
  return fmt::format(
      "{} packets{}{}{}", totals.packets,
      totals.rotations ? fmt::format(", rotated {} times", totals.rotations) : "",
      totals.dropped ? fmt::format(", {} frames not captured (writer behind; marked in the next "
                                   "packet's comment)",
                                   totals.dropped)
                     : "",
      totals.failed ? ", stopped early by a write error" : "");
}

}  // namespace

void RelayServer::start_capture(const std::string& path) {
  // The interfaces are the router's nodes; a reload keeps the same nodes in the same order,
  // so a capture stays valid across reloads.
  capture_ = std::make_unique<capture::CaptureWriter>(path, router_->capture_interfaces(),
                                                      verdict_names(), options_.pcap_max_bytes);
  capture_path_ = path;
}

capture::CaptureWriter::Totals RelayServer::finish_capture() {
  // Joins the writer thread once it has written everything buffered, as the exit path
  // always has: the loop waits for the disk here, once per stop.
  const capture::CaptureWriter::Totals totals = capture_->stop();
  capture_.reset();  // closes the file
  capture_path_.clear();
  return totals;
}

void RelayServer::open_capture() {
  if (options_.pcap_file.empty()) return;
  start_capture(options_.pcap_file);
  logf("capturing to {} (rotated past {} bytes)", options_.pcap_file, options_.pcap_max_bytes);
}

void RelayServer::close_capture_at_exit() {
  if (!capture_) return;
  logf("capture: {}", describe(finish_capture()));
}

std::string RelayServer::run_capture_command(const TextCommand& command) {
  if (command.kind == TextCommand::Kind::capture_stop) {
    if (!capture_) return "error: no capture running\n";
    const std::string path = capture_path_;
    const auto totals = finish_capture();
    logf("control: capture stop: {}: {}", path, describe(totals));
    return "{\"path\":" + json_string(path) +
           fmt::format(",\"packets\":{},\"dropped\":{}}}\n", totals.packets, totals.dropped);
  }
  const std::string& path = command.path;
  if (capture_) {
    return fmt::format("error: capture already running to {}; 'capture stop' first\n",
                       capture_path_);
  }
  try {
    start_capture(path);
  } catch (const std::system_error& e) {  // the relay carries on without a capture
    logf("control: capture start {}: cannot open it: {}", path, e.code().message());
    return fmt::format("error: capture start: cannot open {}: {}\n", path, e.code().message());
  } catch (const std::bad_alloc&) {
    logf("control: capture start {}: no memory for the capture buffer", path);
    return "error: capture start: no memory for the capture buffer\n";
  }
  logf("control: capture start: capturing to {} (rotated past {} bytes)", path,
       options_.pcap_max_bytes);
  return fmt::format("ok capturing to {}\n", path);
}

}  // namespace vmesh::relay
