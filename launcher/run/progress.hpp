// Progress of a run: on a terminal one status line redrawn at every change; otherwise (CI
// logs, pipes) the same line printed at most every kQuietLineInterval while stages wait.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vmesh::launcher {

enum class NodeStage : std::uint8_t { waiting, booting, ssh, radio, mesh, failed };

class Progress {
 public:
  // enabled: usually isatty(stderr).
  Progress(bool enabled, std::vector<std::string> node_names);
  // Records a node's stage and redraws the status line.
  void set(std::size_t node, NodeStage stage);
  // A phase message ("building the guest image") on its own line.
  void phase(const std::string& message);
  // Ends the status line (newline) if one is drawn.
  void finish();
  // Called from wait loops: not on a terminal, prints the status line when
  // kQuietLineInterval has passed since the last one, so a long wait is never silent.
  // `detail`, when given, adds lines (each ending in a newline) under it: what each node
  // is waiting for.
  void heartbeat(const std::function<std::string()>& detail = {});
  static constexpr std::chrono::seconds kQuietLineInterval{10};
  bool enabled() const noexcept { return enabled_; }
  // Each node's name and stage, or for more than kNamedNodesMax nodes the count of nodes
  // at each stage ("20 nodes: 4 booting  6 ssh  10 waiting").
  std::string status_line() const;
  static constexpr std::size_t kNamedNodesMax = 6;

 private:
  void redraw();
  void end_line();
  bool enabled_;
  bool line_open_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_quiet_line_ = started_;
  std::vector<std::string> names_;
  std::vector<NodeStage> stages_;
};

// "booting", "ssh", ...
const char* stage_name(NodeStage stage);

}  // namespace vmesh::launcher
