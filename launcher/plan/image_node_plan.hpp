// The QEMU command line and SSH/setup plan of a node that boots a firmware image (pure).
#pragma once

#include <cstdint>

#include "launcher/plan/run_plan.hpp"

namespace vmesh::launcher {

// Fills node.qemu_argv, node.mesh_ip and node.image from a completed spec
// (resolve_node_images). `node` already has its name, index, SSH port, MAC prefix and log
// paths; `relay_port` is the relay's port on the host, `channel` the node's.
void plan_image_node(NodePlan& node, const ImageSpec& spec, const PlanInputs& inputs,
                     std::uint16_t relay_port, std::uint32_t channel);

}  // namespace vmesh::launcher
