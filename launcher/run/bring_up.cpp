#include "launcher/run/bring_up.hpp"

#include "launcher/process/interrupt.hpp"

namespace vmesh::launcher {

void bring_up(MeshRun& mesh) {
  mesh.build_image();
  mesh.choose_qemu();
  mesh.choose_accel();
  throw_if_interrupted();
  mesh.start_relay();
  throw_if_interrupted();
  mesh.start_nodes();
  save_run_state(mesh.state());
  mesh.wait_ssh();
  mesh.provision();
  mesh.wait_mesh();
  mesh.start_waiting_timeline();
}

}  // namespace vmesh::launcher
