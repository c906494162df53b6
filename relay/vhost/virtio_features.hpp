// Feature bits a vhost-user back-end for mac80211_hwsim's virtio transport deals with:
// virtio transport features (VHOST_USER_GET/SET_FEATURES) and vhost-user protocol
// features (GET/SET_PROTOCOL_FEATURES). Bit numbers, as the specifications give them.
#pragma once

#include <cstdint>

namespace vmesh::vhost {

constexpr std::uint64_t feature_bit(unsigned bit) {
  return std::uint64_t{1} << bit;
}

// Virtio transport features.
inline constexpr unsigned kVirtioRingFIndirectDesc = 28;
inline constexpr unsigned kVirtioRingFEventIdx = 29;
inline constexpr unsigned kVirtioFVersion1 = 32;
// Reused by vhost-user: the back-end supports GET/SET_PROTOCOL_FEATURES.
inline constexpr unsigned kVhostUserFProtocolFeatures = 30;

// vhost-user protocol features.
inline constexpr unsigned kProtocolFMq = 0;
inline constexpr unsigned kProtocolFReplyAck = 3;
inline constexpr unsigned kProtocolFConfig = 9;
inline constexpr unsigned kProtocolFResetDevice = 13;

// mac80211_hwsim's virtio device: id and queues.
inline constexpr std::uint32_t kVirtioIdMac80211Hwsim = 29;
inline constexpr std::uint32_t kHwsimQueueTx = 0;  // frames the guest sends
inline constexpr std::uint32_t kHwsimQueueRx = 1;  // frames and TX status for the guest
inline constexpr std::uint32_t kHwsimQueueCount = 2;

}  // namespace vmesh::vhost
