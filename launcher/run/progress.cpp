#include "launcher/run/progress.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace vmesh::launcher {

const char* stage_name(NodeStage stage) {
  switch (stage) {
    case NodeStage::waiting:
      return "waiting";
    case NodeStage::booting:
      return "booting";
    case NodeStage::ssh:
      return "ssh";
    case NodeStage::radio:
      return "radio";
    case NodeStage::mesh:
      return "mesh";
    case NodeStage::failed:
      return "FAILED";
  }
  return "?";
}

Progress::Progress(bool enabled, std::vector<std::string> node_names)
    : enabled_(enabled),
      names_(std::move(node_names)),
      stages_(names_.size(), NodeStage::waiting) {}

void Progress::set(std::size_t node, NodeStage stage) {
  if (node >= stages_.size() || stages_[node] == stage) return;
  stages_[node] = stage;
  redraw();
}

void Progress::phase(const std::string& message) {
  if (!enabled_) return;
  end_line();
  fmt::print(stderr, "vmesh: {}\n", message);
}

void Progress::heartbeat(const std::function<std::string()>& detail) {
  if (enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_quiet_line_ < kQuietLineInterval) return;
  last_quiet_line_ = now;
  const auto elapsed_s = std::chrono::duration_cast<std::chrono::seconds>(now - started_).count();
  fmt::print(stderr, "vmesh: [{} s] {}\n", elapsed_s, status_line());
  if (detail) {
    const std::string lines = detail();
    if (!lines.empty()) fmt::print(stderr, "{}", lines);
  }
}

void Progress::finish() {
  finished_ = true;
  end_line();
}

void Progress::end_line() {
  if (line_open_) {
    fmt::print(stderr, "\n");
    line_open_ = false;
  }
}

std::string Progress::status_line() const {
  std::string line;
  if (names_.size() <= kNamedNodesMax) {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      line += fmt::format("{}{}: {}", i == 0 ? "" : "  ", names_[i], stage_name(stages_[i]));
    }
    return line;
  }
  // A large mesh: how many nodes are at each stage, in stage order.
  for (const NodeStage stage : {NodeStage::failed, NodeStage::waiting, NodeStage::booting,
                                NodeStage::ssh, NodeStage::radio, NodeStage::mesh}) {
    std::size_t count = 0;
    for (const NodeStage s : stages_) count += s == stage ? 1 : 0;
    if (count > 0)
      line += fmt::format("{}{} {}", line.empty() ? "" : "  ", count, stage_name(stage));
  }
  return fmt::format("{} nodes: {}", names_.size(), line);
}

void Progress::redraw() {
  if (!enabled_) return;
  const std::string line = status_line();
  fmt::print(stderr, "\r\033[K  {}", line);
  std::fflush(stderr);
  line_open_ = true;
}

}  // namespace vmesh::launcher
