#include "bench/loadgen/load_config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "bench/loadgen/frame_payload.hpp"

namespace vmesh::bench {

namespace {

template <typename T>
bool parse_number(std::string_view text, T& out) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return false;
  out = value;
  return true;
}

bool parse_seconds(std::string_view text, double& out) {
  double value = 0;
  if (!parse_number(text, value) || !std::isfinite(value) || value < 0) return false;
  out = value;
  return true;
}

}  // namespace

std::string_view to_string(LoadMode mode) {
  return mode == LoadMode::latency ? "latency" : "throughput";
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  in_addr addr{};
  const std::string text(host);
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

std::size_t auto_batch_messages(std::size_t message_bytes) {
  constexpr std::size_t kBytesPerWrite = 32 * 1024;
  return std::clamp<std::size_t>(kBytesPerWrite / std::max<std::size_t>(message_bytes, 1), 4, 64);
}

std::size_t auto_window_frames(const LoadConfig& config, std::size_t message_bytes) {
  constexpr std::size_t kInFlightBytesPerReceiver = 256 * 1024;
  const std::size_t senders = config.clients > 1 ? config.clients - 1 : 1;
  const std::size_t frames =
      kInFlightBytesPerReceiver / (std::max<std::size_t>(message_bytes, 1) * senders);
  const std::size_t batch = config.batch != 0 ? config.batch : auto_batch_messages(message_bytes);
  return std::clamp<std::size_t>(frames, 2 * batch, 4096);
}

std::string load_usage() {
  return R"(usage: vmesh-bench relay [options]
Plays N vwifi clients against a vwifi-compatible relay and prints one JSON line.

  --host ADDR            relay address (default 127.0.0.1)
  --port N               relay TCP client port (default 8212)
  -n, --clients N        number of clients, >= 2 (default 5)
  --frame-size BYTES     802.11 frame length, 56..8192 (default 100)
  --duration S           measured seconds (default 5)
  --warmup S             seconds before measuring, not counted (default 1)
  --drain S              seconds to wait for in-flight frames at the end (default 0.5)
  --mode M               throughput | latency (default throughput)
  --rate FPS             frames/s per client in latency mode (default 100)
  --batch K              messages per socket write in throughput mode (default: ~32 KiB
                         per write, 4..64 messages)
  --window W             frames a sender may run ahead of its receivers (default:
                         ~256 KiB in flight per receiver, at least 2 batches)
  --source-ips MODE      auto | on | off: bind client i to 127.0.0.(10+i) so that relays
                         that identify clients by source IP tell them apart; auto = on
                         for loopback targets (default auto)
  --socket-buffer BYTES  SO_RCVBUF/SO_SNDBUF per client (default 4194304)
  --busy-poll            never sleep in epoll, so the generator's own wake-up time is not
                         part of the measured latency (uses a whole CPU)
  --connect-timeout S    (default 3)
  -h, --help
)";
}

ParsedLoadArgs parse_load_args(std::span<const std::string_view> args) {
  ParsedLoadArgs result;
  LoadConfig config;
  auto fail = [&](std::string message) {
    result.error = std::move(message);
    return result;
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view name = args[i];
    std::string_view value;
    bool has_value = false;
    if (name == "-h" || name == "--help") {
      result.help = true;
      return result;
    }
    if (const auto eq = name.find('='); name.starts_with("--") && eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto take = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      return true;
    };
    if (name == "--busy-poll") {
      config.busy_poll = true;
      continue;
    }
    if (!take()) return fail("option " + std::string(name) + " needs a value");
    const std::string bad = "invalid value '" + std::string(value) + "' for " + std::string(name);

    if (name == "--host") {
      if (value.empty()) return fail(bad);
      config.host = std::string(value);
    } else if (name == "--port" || name == "-p") {
      if (!parse_number(value, config.port) || config.port == 0) return fail(bad);
    } else if (name == "--clients" || name == "-n") {
      if (!parse_number(value, config.clients) || config.clients < 2 || config.clients > 750) {
        return fail(bad + " (2..750)");
      }
    } else if (name == "--frame-size") {
      if (!parse_number(value, config.frame_bytes) || config.frame_bytes < kMinFrameBytes ||
          config.frame_bytes > 8192) {
        return fail(bad + " (" + std::to_string(kMinFrameBytes) + "..8192)");
      }
    } else if (name == "--duration") {
      if (!parse_seconds(value, config.duration_s) || config.duration_s <= 0) return fail(bad);
    } else if (name == "--warmup") {
      if (!parse_seconds(value, config.warmup_s)) return fail(bad);
    } else if (name == "--drain") {
      if (!parse_seconds(value, config.drain_s)) return fail(bad);
    } else if (name == "--connect-timeout") {
      if (!parse_seconds(value, config.connect_timeout_s)) return fail(bad);
    } else if (name == "--mode") {
      if (value == "throughput") {
        config.mode = LoadMode::throughput;
      } else if (value == "latency") {
        config.mode = LoadMode::latency;
      } else {
        return fail(bad + " (throughput|latency)");
      }
    } else if (name == "--rate") {
      if (!parse_number(value, config.rate_fps) || !std::isfinite(config.rate_fps) ||
          config.rate_fps <= 0 || config.rate_fps > 1e7) {
        return fail(bad);
      }
    } else if (name == "--batch") {
      if (!parse_number(value, config.batch) || config.batch == 0 || config.batch > 4096) {
        return fail(bad + " (1..4096)");
      }
    } else if (name == "--window") {
      if (!parse_number(value, config.window) || config.window == 0) return fail(bad);
    } else if (name == "--source-ips") {
      if (value == "auto") {
        config.source_ips = SourceIps::automatic;
      } else if (value == "on") {
        config.source_ips = SourceIps::on;
      } else if (value == "off") {
        config.source_ips = SourceIps::off;
      } else {
        return fail(bad + " (auto|on|off)");
      }
    } else if (name == "--socket-buffer") {
      if (!parse_number(value, config.socket_buffer_bytes) || config.socket_buffer_bytes < 4096) {
        return fail(bad);
      }
    } else {
      return fail("unknown option " + std::string(name));
    }
  }
  result.config = std::move(config);
  return result;
}

}  // namespace vmesh::bench
