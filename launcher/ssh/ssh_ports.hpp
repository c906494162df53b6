// Host-side SSH ports for the nodes' user-mode network forwards (127.0.0.1 only).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmesh::launcher {

// Picks one free 127.0.0.1 TCP port per node, from `base` upwards; a busy port is skipped
// and reported in `notes`. Throws std::runtime_error when none is free below 65535.
std::vector<std::uint16_t> pick_ssh_ports(std::uint16_t base, std::size_t count,
                                          std::vector<std::string>& notes);

}  // namespace vmesh::launcher
