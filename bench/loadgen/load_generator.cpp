#include "bench/loadgen/load_generator.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_decoder.hpp"
#include "base/wire/wire_format.hpp"
#include "bench/loadgen/client_connector.hpp"
#include "bench/loadgen/frame_payload.hpp"

namespace vmesh::bench {

namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;
// A sender blocked by its window this long is let go anyway: frames the relay dropped at
// the tail of a burst would otherwise never be revealed as gaps, and nothing would move.
constexpr std::uint64_t kStallReleaseNs = 100'000'000;
// Window re-check period while every sender waits and nothing arrives.
constexpr std::uint64_t kIdleRecheckNs = 1'000'000;
// Pause between connecting and sending, so the relay has registered every client before
// the first frame (frames to a client it does not know yet are lost, not delayed).
constexpr std::uint64_t kSettleNs = 50'000'000;
constexpr std::size_t kReceiveBufferBytes = 512 * 1024;
constexpr int kMaxEvents = 256;

std::uint64_t seconds_to_ns(double seconds) {
  return static_cast<std::uint64_t>(seconds * static_cast<double>(kNsPerSecond));
}

double ns_to_us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

// CPU time this thread used (user + system), to show whether the generator itself was busy.
std::uint64_t thread_cpu_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * kNsPerSecond +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

std::uint64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * kNsPerSecond +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

struct LoadGenerator::Client {
  Client(std::uint32_t index_in, UniqueFd fd_in, const LoadConfig& config)
      : index(index_in),
        fd(std::move(fd_in)),
        batch(index_in, config.frame_bytes,
              config.mode == LoadMode::latency ? std::size_t{1} : config.batch),
        rx(kReceiveBufferBytes) {}

  std::uint32_t index;
  UniqueFd fd;
  bool live = true;
  bool want_write = false;
  FrameBatch batch;
  std::span<const std::uint8_t> pending;  // unsent part of the current write, inside batch
  std::uint64_t next_seq = 0;
  std::uint64_t last_send_ns = 0;
  std::uint64_t next_send_ns = 0;  // latency mode
  std::vector<std::uint8_t> rx;
  std::size_t rx_len = 0;
  std::uint64_t deliveries = 0;  // in the measured window
};

LoadGenerator::LoadGenerator(LoadConfig config)
    : config_(std::move(config)), tracker_(config_.clients) {
  if (config_.clients < 2) throw std::invalid_argument("at least 2 clients are needed");
  if (config_.mode == LoadMode::latency && !(config_.rate_fps > 0)) {
    throw std::invalid_argument("latency mode needs a positive rate");
  }
  // Builds one batch to validate the frame size before any connection is made.
  FrameBatch probe(0, config_.frame_bytes, 1);
  report_.mode = config_.mode;
  report_.target = fmt::format("{}:{}", config_.host, config_.port);
  report_.clients = config_.clients;
  report_.frame_bytes = config_.frame_bytes;
  report_.message_bytes = probe.message_bytes();
  if (config_.batch == 0) config_.batch = auto_batch_messages(probe.message_bytes());
  window_frames_ = config_.window != 0 ? std::max(config_.window, config_.batch)
                                       : auto_window_frames(config_, probe.message_bytes());
  report_.batch = config_.mode == LoadMode::latency ? 1 : config_.batch;
  report_.window_frames = window_frames_;
}

LoadGenerator::~LoadGenerator() = default;

void LoadGenerator::set_write_interest(Client& client, bool want) {
  if (client.want_write == want || !client.live) return;
  epoll_event event{};
  event.events = EPOLLIN | (want ? EPOLLOUT : 0u);
  event.data.u32 = client.index;
  epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, client.fd.get(), &event);
  client.want_write = want;
}

void LoadGenerator::drop(Client& client) {
  if (!client.live) return;
  client.live = false;
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, client.fd.get(), nullptr);
  client.fd.reset();
  client.pending = {};
  tracker_.remove_receiver(client.index);
}

bool LoadGenerator::flush(Client& client) {
  while (!client.pending.empty()) {
    const ssize_t n = send(client.fd.get(), client.pending.data(), client.pending.size(),
                           MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      client.pending = client.pending.subspan(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_write_interest(client, true);
      return false;
    }
    ++report_.disconnects;
    drop(client);
    return false;
  }
  set_write_interest(client, false);
  return true;
}

bool LoadGenerator::try_send(Client& client, std::uint64_t now_ns) {
  if (!client.live || !client.pending.empty()) return false;
  const std::uint64_t receivers = tracker_.live_receivers(client.index);
  if (receivers == 0) return false;

  std::size_t count = 0;
  if (config_.mode == LoadMode::latency) {
    if (now_ns < client.next_send_ns) return false;
    count = 1;
    client.next_send_ns += period_ns_;
    // Fell behind (the loop was busy): restart the schedule instead of bursting.
    if (client.next_send_ns <= now_ns) client.next_send_ns = now_ns + period_ns_;
  } else {
    count = config_.batch;
    // Frames of this sender not yet seen (or known lost) by its receivers, summed.
    const std::uint64_t in_flight = client.next_seq * receivers - tracker_.progress(client.index);
    if (in_flight + count * receivers > window_frames_ * receivers) {
      if (now_ns - client.last_send_ns < kStallReleaseNs) return false;
      ++report_.window_stalls;
    }
  }
  client.pending = client.batch.stamp(count, client.next_seq, now_ns);
  client.next_seq += count;
  client.last_send_ns = now_ns;
  if (now_ns >= warm_end_ns_ && now_ns < measure_end_ns_) report_.frames_sent += count;
  flush(client);
  return true;
}

void LoadGenerator::on_message(Client& client, std::span<const std::uint8_t> message,
                               std::uint64_t now_ns) {
  if (message[wire::kPowerBytes + wire::kOffsetGenlCmd] !=
      static_cast<std::uint8_t>(wire::HwsimCmd::frame)) {
    ++report_.decode_errors;
    return;
  }
  const auto stamp = read_stamp(frame_attribute(message));
  if (!stamp || stamp->sender >= config_.clients || stamp->sender == client.index) {
    ++report_.decode_errors;
    return;
  }
  const auto outcome =
      tracker_.observe(client.index, stamp->sender, stamp->seq, now_ns >= warm_end_ns_);
  if (outcome == SequenceTracker::Outcome::stale) return;
  if (now_ns < warm_end_ns_ || now_ns >= measure_end_ns_) return;
  ++client.deliveries;
  report_.bytes_received += message.size();
  if (now_ns >= stamp->send_time_ns) latency_.record(now_ns - stamp->send_time_ns);
}

void LoadGenerator::on_readable(Client& client) {
  // Bounded rounds so that one busy client cannot starve the others.
  for (int round = 0; round < 4 && client.live; ++round) {
    const std::size_t space = client.rx.size() - client.rx_len;
    const ssize_t n = recv(client.fd.get(), client.rx.data() + client.rx_len, space, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      ++report_.disconnects;
      drop(client);
      return;
    }
    const std::uint64_t now_ns = monotonic_ns();
    client.rx_len += static_cast<std::size_t>(n);

    std::size_t offset = 0;
    while (true) {
      const std::span<const std::uint8_t> rest(client.rx.data() + offset, client.rx_len - offset);
      const auto decoded = wire::decode_message(rest);
      if (decoded.status == wire::DecodeStatus::need_more) break;
      if (decoded.status == wire::DecodeStatus::malformed) {
        // The stream cannot be resynchronised after a bad length: give the client up.
        ++report_.decode_errors;
        drop(client);
        return;
      }
      on_message(client, rest.first(decoded.wire_bytes), now_ns);
      offset += decoded.wire_bytes;
    }
    if (offset > 0) {
      std::memmove(client.rx.data(), client.rx.data() + offset, client.rx_len - offset);
      client.rx_len -= offset;
    }
    if (static_cast<std::size_t>(n) < space) return;
  }
}

bool LoadGenerator::all_delivered() const {
  for (const auto& client : clients_) {
    if (!client->live) continue;
    if (!client->pending.empty()) return false;
    const std::uint64_t expected = client->next_seq * tracker_.live_receivers(client->index);
    if (tracker_.progress(client->index) < expected) return false;
  }
  return true;
}

LoadReport LoadGenerator::run() {
  ConnectOutcome connected = connect_clients(config_);
  report_.connect_failures = connected.failures;
  if (connected.failures > 0) {
    connect_error_ = connected.first_error;
    return report_;
  }
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  for (std::uint32_t i = 0; i < config_.clients; ++i) {
    clients_.push_back(std::make_unique<Client>(i, std::move(connected.sockets[i]), config_));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = i;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, clients_.back()->fd.get(), &event) != 0) {
      throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    }
  }

  const timespec settle{0, static_cast<long>(kSettleNs)};
  nanosleep(&settle, nullptr);

  const std::uint64_t start_ns = monotonic_ns();
  warm_end_ns_ = start_ns + seconds_to_ns(config_.warmup_s);
  measure_end_ns_ = warm_end_ns_ + seconds_to_ns(config_.duration_s);
  const std::uint64_t drain_end_ns = measure_end_ns_ + seconds_to_ns(config_.drain_s);
  period_ns_ = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(static_cast<double>(kNsPerSecond) / config_.rate_fps));
  for (auto& client : clients_) {
    // Latency mode: spread the clients evenly over one period.
    client->next_send_ns = start_ns + period_ns_ * client->index / config_.clients;
    client->last_send_ns = start_ns;
  }

  std::vector<epoll_event> events(kMaxEvents);
  std::uint64_t cpu_start_ns = 0;
  std::uint64_t cpu_end_ns = 0;
  bool measuring = false;
  while (true) {
    const std::uint64_t now_ns = monotonic_ns();
    if (!measuring && sending_ && now_ns >= warm_end_ns_) {
      measuring = true;
      cpu_start_ns = thread_cpu_ns();
    }
    if (sending_ && now_ns >= measure_end_ns_) {
      sending_ = false;
      cpu_end_ns = thread_cpu_ns();
    }
    if (!sending_ && (now_ns >= drain_end_ns || all_delivered())) break;

    bool sent = false;
    if (sending_) {
      for (auto& client : clients_) sent |= try_send(*client, now_ns);
    }
    std::uint64_t wake_ns = sending_ ? measure_end_ns_ : drain_end_ns;
    if (sent) {
      wake_ns = now_ns;
    } else if (sending_ && config_.mode == LoadMode::latency) {
      for (const auto& client : clients_) {
        if (client->live) wake_ns = std::min(wake_ns, client->next_send_ns);
      }
    } else if (sending_) {
      wake_ns = std::min(wake_ns, now_ns + kIdleRecheckNs);
    }
    const std::uint64_t wait_ns = wake_ns > now_ns && !config_.busy_poll ? wake_ns - now_ns : 0;
    const timespec timeout{static_cast<time_t>(wait_ns / kNsPerSecond),
                           static_cast<long>(wait_ns % kNsPerSecond)};
    const int ready = epoll_pwait2(epoll_.get(), events.data(), kMaxEvents, &timeout, nullptr);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "epoll_pwait2");
    }
    for (int k = 0; k < ready; ++k) {
      const auto& event = events[static_cast<std::size_t>(k)];
      Client& client = *clients_[event.data.u32];
      if (!client.live) continue;
      if (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(client);
      if (client.live && (event.events & EPOLLOUT)) flush(client);
    }
  }

  std::vector<std::uint64_t> sent(config_.clients);
  report_.client_deliveries_min = UINT64_MAX;
  std::uint64_t deliveries = 0;
  for (const auto& client : clients_) {
    sent[client->index] = client->next_seq;
    deliveries += client->deliveries;
    report_.client_deliveries_min = std::min(report_.client_deliveries_min, client->deliveries);
    report_.client_deliveries_max = std::max(report_.client_deliveries_max, client->deliveries);
  }
  report_.deliveries = deliveries;
  report_.measured_s = config_.duration_s;
  report_.generator_cpu_s = static_cast<double>(cpu_end_ns - cpu_start_ns) / 1e9;
  report_.frames_lost = tracker_.lost() + tracker_.tail_lost(sent);
  report_.frames_stale = tracker_.stale();
  report_.latency_samples = latency_.count();
  report_.latency_p50_us = ns_to_us(latency_.percentile_ns(0.50));
  report_.latency_p90_us = ns_to_us(latency_.percentile_ns(0.90));
  report_.latency_p99_us = ns_to_us(latency_.percentile_ns(0.99));
  report_.latency_max_us = ns_to_us(latency_.max_ns());
  clients_.clear();
  return report_;
}

}  // namespace vmesh::bench
