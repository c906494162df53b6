// Helpers shared by the medium tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "medium/medium.hpp"
#include "medium/topology_parser.hpp"

namespace vmesh::medium::testing {

inline Medium make_medium(std::string_view toml, std::uint64_t seed = 1) {
  return Medium(parse_topology(toml, "test.toml"), seed);
}

inline FrameInfo frame_from(NodeId sender, std::size_t bytes = 100, std::uint32_t freq_mhz = 2412) {
  return FrameInfo{sender, bytes, FrameKind::data_broadcast, freq_mhz, 10};
}

// Decides one frame and returns its deliveries.
inline std::vector<Delivery> decide(Medium& medium, const FrameInfo& frame, std::uint64_t now_us) {
  std::vector<Delivery> out;
  medium.decide(frame, now_us, out);
  return out;
}

// The delivery to `receiver` of a frame sent at now_us.
inline Delivery decide_one(Medium& medium, const FrameInfo& frame, NodeId receiver,
                           std::uint64_t now_us) {
  for (const Delivery& delivery : decide(medium, frame, now_us)) {
    if (delivery.receiver == receiver) return delivery;
  }
  return Delivery{receiver, Verdict::drop_deaf, 0, 0};
}

}  // namespace vmesh::medium::testing
