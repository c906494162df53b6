// Classification of an IEEE 802.11 frame for the medium: management or data, group or
// individual receiver.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace vmesh::medium {

enum class FrameKind : std::uint8_t {
  mgmt_broadcast,
  mgmt_unicast,
  data_broadcast,
  data_unicast,
  other
};

// From the frame control type bits and the group bit of addr1 (broadcast and multicast
// count as broadcast). Control frames, extension frames and frames shorter than
// frame control + duration + addr1 (10 bytes) are `other`. Does not throw.
FrameKind classify_frame(std::span<const std::uint8_t> ieee80211_frame);

// "mgmt_broadcast", ... for logs.
std::string_view to_string(FrameKind kind);

}  // namespace vmesh::medium
