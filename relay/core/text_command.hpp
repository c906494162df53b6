// vmesh's own control commands: one text line on the relay's owner-only Unix socket
// (--control-socket). On the TCP control port they are told apart from vwifi's binary
// orders by their first byte (a letter; binary orders start with 0-9 as the low byte of a
// little-endian int32) and refused. The reply is text, one JSON object or "ok"/"error:".
//   stats                               per-link counters and node bindings as JSON
//   link set A B key=value... [oneway]  change a link at run time (loss, delay, jitter,
//                                       rate, signal); both directions unless oneway
//   reload PATH                         load PATH (same nodes) and apply it; replies the diff
//   capture start PATH                  start a pcapng capture at PATH (absolute), as --pcap
//   capture stop                        stop it; replies {"path":..,"packets":N,"dropped":M}
//   vhost handover PATH [wait=D]        hand the vhost-user front ends to a new relay that
//                                       connects to PATH (absolute) within D (60s), then exit
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "medium/link_params.hpp"

namespace vmesh::relay {

// True when a control stream starts like one of our text commands (a letter).
bool is_text_command(std::span<const std::uint8_t> bytes);

struct TextCommand {
  enum class Kind : std::uint8_t {
    stats,
    link_set,
    reload,
    capture_start,  // run by the I/O layer, which owns the capture; the router never sees it
    capture_stop,
    vhost_handover,  // the I/O layer's too: it owns the front ends' sockets
    timeline_start,  // start a timeline that waits for the nodes (meta timeline_start)
  } kind = Kind::stats;
  std::string path;  // reload, capture start and vhost handover (absolute)
  std::string node_a;
  std::string node_b;
  bool one_way = false;
  medium::LinkOverrides changes;
  std::uint64_t wait_ms = 0;  // vhost handover: how long to wait for the new relay
};

// vhost handover's wait without wait=, and its bounds.
inline constexpr std::uint64_t kDefaultHandoverWaitMs = 60'000;
inline constexpr std::uint64_t kMinHandoverWaitMs = 100;
inline constexpr std::uint64_t kMaxHandoverWaitMs = 600'000;

struct TextParse {
  enum class Status : std::uint8_t { need_more, complete, invalid } status = Status::need_more;
  TextCommand command;
  std::string error;
};

inline constexpr std::size_t kMaxTextCommandBytes = 4096;

// Parses one '\n'-terminated line. No throws except bad_alloc.
TextParse parse_text_command(std::span<const std::uint8_t> bytes);

}  // namespace vmesh::relay
