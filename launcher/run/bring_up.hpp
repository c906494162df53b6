// The bring-up shared by `vmesh run` and `vmesh up`, so the two cannot drift apart.
#pragma once

#include "launcher/run/mesh_run.hpp"

namespace vmesh::launcher {

// Image, accelerator, relay, VMs (the run state is saved once they exist, so `vmesh down`
// finds them), SSH logins, provisioning, then waits until the mesh has formed. Throws
// Interrupted on SIGINT/SIGTERM (checked between the steps and inside every wait) and
// std::runtime_error naming the step that failed; the caller's MeshRun tears down.
void bring_up(MeshRun& mesh);

}  // namespace vmesh::launcher
