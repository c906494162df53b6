// Readiness of nodes that boot a firmware image (MeshRun::wait_mesh).
#include <fmt/format.h>

#include "launcher/run/mesh_run.hpp"

namespace vmesh::launcher {
namespace {

// The end of a probe's output, enough to tell what it says without flooding a report.
std::string output_tail(std::string text) {
  constexpr std::size_t kMaxChars = 400;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > kMaxChars) text = "..." + text.substr(text.size() - kMaxChars);
  return text;
}

}  // namespace

bool MeshRun::image_ready(std::size_t i, std::string& last) {
  const NodePlan& node = plan_.nodes[i];
  if (node.image->ready) {
    try {
      const auto result = sessions_[i]->run(*node.image->ready, 30000);
      if (result.exit_status == 0) return true;
      last = fmt::format("ready command '{}' exited {}: {}", *node.image->ready, result.exit_status,
                         output_tail(result.out + result.err));
    } catch (const SshError& e) {
      last = e.what();
    }
    return false;
  }
  const auto tools = sessions_[i]->run("command -v batctl >/dev/null && command -v iw", 20000);
  if (tools.exit_status != 0) {
    throw std::runtime_error(fmt::format(
        "node {}: image {} has no batctl or no iw, which vmesh's mesh wait reads; give a "
        "command that exits 0 once the node's mesh is up: ready = \"...\" in [image] (the "
        "topology's or the recipe's)",
        node.name, node.image->image_name));
  }
  return false;
}

}  // namespace vmesh::launcher
