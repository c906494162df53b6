// Shared by the planner's tests: plan inputs for `count` nodes with fixed ports and paths,
// and a lookup of "FLAG VALUE" pairs in an argv.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "launcher/plan/run_plan.hpp"

namespace vmesh::launcher::test {

inline PlanInputs inputs(std::size_t count) {
  PlanInputs in;
  in.node_count = count;
  for (std::size_t i = 0; i < count; ++i)
    in.ssh_ports.push_back(static_cast<std::uint16_t>(2222 + i));
  in.relay_tcp_port = 40001;
  in.run_dir = "/run/x";
  in.image_dir = "/img";
  in.ssh_public_key = "/run/x/id.pub";
  in.image_scripts_dir = "/src/launcher/image";
  return in;
}

inline bool has_pair(const std::vector<std::string>& argv, const std::string& a,
                     const std::string& b) {
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == a && argv[i + 1] == b) return true;
  }
  return false;
}

}  // namespace vmesh::launcher::test
