#include "launcher/scenario/run_action.hpp"

namespace vmesh::launcher {

const char* to_string(RunActionKind kind) {
  switch (kind) {
    case RunActionKind::node_kill:
      return "node_kill";
    case RunActionKind::node_start:
      return "node_start";
    case RunActionKind::relay_restart:
      return "relay_restart";
  }
  return "?";
}

}  // namespace vmesh::launcher
