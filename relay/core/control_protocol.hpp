// vwifi's binary control protocol (TCP 8214): one order per connection, a 4-byte order
// followed by its arguments, all in host byte order; the server replies and closes.
// Sans-I/O: the parser takes whatever bytes have arrived, the encoders return bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "relay/core/peer_registry.hpp"

namespace vmesh::relay {

enum class ControlOrder : std::int32_t {
  none = 0,
  list = 1,
  show = 2,
  change_coordinate = 3,
  set_name = 4,
  packet_loss = 5,
  status = 6,
  distance = 7,
  set_scale = 8,
  close_all = 9,
};

struct ControlRequest {
  ControlOrder order = ControlOrder::none;
  PeerId cid = 0;
  PeerId cid2 = 0;
  Coordinates coordinates;
  std::string name;
  bool loss_enabled = false;
  double scale = 1.0;
};

enum class ControlParseStatus : std::uint8_t { need_more, complete, invalid };

struct ControlParse {
  ControlParseStatus status = ControlParseStatus::need_more;
  std::size_t consumed = 0;
  ControlRequest request;
  std::string error;  // for invalid: what was wrong
};

// A SETNAME longer than this is refused rather than buffered.
inline constexpr std::int32_t kMaxControlNameBytes = 1024;

// Parses one request from the front of `bytes`. No throws except bad_alloc.
ControlParse parse_control_request(std::span<const std::uint8_t> bytes);

// Reply encoders. Layouts are vwifi v7.1's; see docs/relay.md.
std::vector<std::uint8_t> encode_list_reply(const PeerRegistry& peers);
std::vector<std::uint8_t> encode_show_reply(bool loss_enabled, double scale, bool spy_connected);
std::vector<std::uint8_t> encode_status_reply(bool loss_enabled, double scale,
                                              std::optional<std::uint16_t> vsock_port,
                                              std::uint16_t tcp_port,
                                              std::uint32_t remembered_capacity,
                                              bool spy_connected);
// code 0 with the distance in metres, -1 unknown first id, -2 unknown second id.
std::vector<std::uint8_t> encode_distance_reply(std::int32_t code, double distance_m);

// Request encoders, used by tests and tools that speak to any vwifi-compatible server.
std::vector<std::uint8_t> encode_control_request(const ControlRequest& request);

}  // namespace vmesh::relay
