// Progress of a run on a terminal (one status line per node stage); silent otherwise.
#pragma once

#include <cstdint>
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
  bool enabled() const noexcept { return enabled_; }
  // Each node's name and stage, or for more than kNamedNodesMax nodes the count of nodes
  // at each stage ("20 nodes: 4 booting  6 ssh  10 waiting").
  std::string status_line() const;
  static constexpr std::size_t kNamedNodesMax = 6;

 private:
  void redraw();
  bool enabled_;
  bool line_open_ = false;
  std::vector<std::string> names_;
  std::vector<NodeStage> stages_;
};

// "booting", "ssh", ...
const char* stage_name(NodeStage stage);

}  // namespace vmesh::launcher
