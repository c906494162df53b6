// Options of `vmesh-bench relay` and their parser (kept apart from main() so tests can
// check defaults and errors).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vmesh::bench {

enum class LoadMode : std::uint8_t {
  throughput,  // send as fast as the window allows
  latency,     // each client sends rate_fps frames per second, evenly spaced
};

enum class SourceIps : std::uint8_t {
  automatic,  // on when the target is a loopback address
  on,         // client i binds 127.0.0.(10+i) before connect
  off,        // let the kernel choose
};

struct LoadConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8212;
  std::uint32_t clients = 5;
  std::size_t frame_bytes = 100;  // length of the 802.11 frame inside HWSIM_ATTR_FRAME
  double duration_s = 5.0;        // measured part
  double warmup_s = 1.0;          // before it, not counted
  double drain_s = 0.5;           // after it: wait for frames still in flight
  double connect_timeout_s = 3.0;
  LoadMode mode = LoadMode::throughput;
  double rate_fps = 100.0;  // per client, latency mode
  // Messages per socket write in throughput mode; 0 picks auto_batch_messages().
  std::size_t batch = 0;
  // Frames a sender may run ahead of its receivers; 0 picks auto_window_frames().
  std::size_t window = 0;
  SourceIps source_ips = SourceIps::automatic;
  // Never sleep in epoll: keeps the generator's CPU awake so that its own wake-up time is
  // not part of the measured latency (costs a whole core).
  bool busy_poll = false;
  int socket_buffer_bytes = 4 << 20;  // SO_RCVBUF and SO_SNDBUF
};

// Result of parsing the arguments after "relay".
struct ParsedLoadArgs {
  std::optional<LoadConfig> config;  // set when the arguments are valid
  bool help = false;                 // -h/--help was given
  std::string error;                 // what is wrong, when neither of the above
};

// Parses `--name value` and `--name=value` options. Never throws.
ParsedLoadArgs parse_load_args(std::span<const std::string_view> args);

// The default batch: about 32 KiB per write, between 4 and 64 messages. Fewer, larger
// writes are what keeps the generator cheap with small frames (~80 ns of generator CPU
// per delivery with 64 × 177-byte messages per write against ~140 ns with 16).
std::size_t auto_batch_messages(std::size_t message_bytes);

// The default window: about 256 KiB in flight toward each receiver from all its senders,
// so the relay's bounded per-receiver queues are not flooded uselessly; at least two
// batches so that a sender always has one batch on the way while it writes the next.
std::size_t auto_window_frames(const LoadConfig& config, std::size_t message_bytes);

// Usage text of `vmesh-bench relay`.
std::string load_usage();

std::string_view to_string(LoadMode mode);

// True for 127.0.0.0/8 and "localhost".
bool is_loopback_host(std::string_view host);

}  // namespace vmesh::bench
