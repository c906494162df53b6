#include "medium/frame_kind.hpp"

namespace vmesh::medium {

namespace {
constexpr std::size_t kMinHeaderBytes = 10;  // frame control (2) + duration (2) + addr1 (6)
constexpr std::size_t kAddr1Offset = 4;
constexpr std::uint8_t kTypeMask = 0x0c;  // bits 2-3 of the first frame-control byte
constexpr std::uint8_t kTypeManagement = 0x00;
constexpr std::uint8_t kTypeData = 0x08;
constexpr std::uint8_t kGroupBit = 0x01;  // I/G bit of the first address octet
}  // namespace

FrameKind classify_frame(std::span<const std::uint8_t> frame) {
  if (frame.size() < kMinHeaderBytes) return FrameKind::other;
  const std::uint8_t type = frame[0] & kTypeMask;
  const bool group = (frame[kAddr1Offset] & kGroupBit) != 0;
  if (type == kTypeManagement) return group ? FrameKind::mgmt_broadcast : FrameKind::mgmt_unicast;
  if (type == kTypeData) return group ? FrameKind::data_broadcast : FrameKind::data_unicast;
  return FrameKind::other;
}

std::string_view to_string(FrameKind kind) {
  switch (kind) {
    case FrameKind::mgmt_broadcast:
      return "mgmt_broadcast";
    case FrameKind::mgmt_unicast:
      return "mgmt_unicast";
    case FrameKind::data_broadcast:
      return "data_broadcast";
    case FrameKind::data_unicast:
      return "data_unicast";
    case FrameKind::other:
      return "other";
  }
  return "other";
}

}  // namespace vmesh::medium
