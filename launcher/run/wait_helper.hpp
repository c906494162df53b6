// Waiting for a helper program of a run (build-image.sh, make-node-cpio.sh).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "launcher/process/child_process.hpp"

namespace vmesh::launcher {

// Waits for `child`; throws std::runtime_error naming `what` (with the tail of `log`) when it
// exits non-zero, or when `deadline` passes (it is stopped then); Interrupted on a signal.
void wait_helper(ChildProcess& child, const std::string& what,
                 std::chrono::steady_clock::time_point deadline, const std::filesystem::path& log);

}  // namespace vmesh::launcher
