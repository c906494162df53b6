// Timeline actions on the processes, carried out by the launcher (the medium never sees
// them): written as [[event]]s like the medium's own.
#pragma once

#include <cstdint>

#include "medium/topology.hpp"

namespace vmesh::launcher {

enum class RunActionKind : std::uint8_t {
  node_kill,      // SIGKILL the node's QEMU: the VM is gone, as with a power cut
  node_start,     // boot a killed node again (same disk image, ports and MACs)
  relay_restart,  // stop the relay, wait down_for, start it again on the same ports
};

struct RunAction {
  std::uint64_t at_us = 0;
  RunActionKind kind = RunActionKind::node_kill;
  medium::NodeId node = 0;                // node_kill, node_start
  std::uint64_t down_for_us = 2'000'000;  // relay_restart
};

// "node_kill", "node_start", "relay_restart". Does not throw.
const char* to_string(RunActionKind kind);

}  // namespace vmesh::launcher
