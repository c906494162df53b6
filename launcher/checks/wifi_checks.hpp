// The [[check]]s of access points and gateways: associated (a station is in its AP's BSS,
// seen from both sides) and uplink (a node reaches the host through a gateway).
#pragma once

#include "launcher/checks/mesh_checks.hpp"

namespace vmesh::launcher {

CheckOutcome check_associated(const medium::Topology& topology, const RunPlan& plan,
                              const Check& check, const RunOnNode& run);
CheckOutcome check_uplink(const medium::Topology& topology, const RunPlan& plan, const Check& check,
                          const RunOnNode& run);

// The gateway index in a probe's answer ("vmesh-uplink 2" -> 2), nullopt if none.
std::optional<std::uint32_t> parse_uplink_answer(const std::string& output);

}  // namespace vmesh::launcher
