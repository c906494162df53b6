#include "launcher/run/relay_handover.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "launcher/control/relay_control.hpp"
#include "launcher/process/interrupt.hpp"
#include "launcher/process/text_file.hpp"

namespace vmesh::launcher {
namespace {

using std::chrono::milliseconds;

// The relay answers once its ring has returned the cancelled operations (up to 2 s).
constexpr int kHandoverAnswerTimeoutMs = 15'000;
constexpr std::int64_t kMinWaitMs = 100;
constexpr std::int64_t kMaxWaitMs = 600'000;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The whole line of `text` that holds position `at`.
std::string line_at(const std::string& text, std::size_t at) {
  const std::size_t begin = text.rfind('\n', at);
  const std::size_t from = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(from, text.find('\n', at) - from);
}

}  // namespace

std::string ask_relay_to_hand_over(const RelayLaunch& launch, milliseconds wait) {
  // A socket file left by a relay that was killed during a handover would fail the bind.
  std::error_code ignored;
  if (std::filesystem::is_socket(launch.handover_socket(), ignored))
    std::filesystem::remove(launch.handover_socket(), ignored);
  const std::int64_t wait_ms = std::clamp<std::int64_t>(wait.count(), kMinWaitMs, kMaxWaitMs);
  const std::string command =
      fmt::format("vhost handover {} wait={}ms\n", launch.handover_socket().string(), wait_ms);
  const auto reply =
      relay_control_exchange(launch.control_socket(), command, kHandoverAnswerTimeoutMs);
  if (!reply) {
    throw std::runtime_error(fmt::format(
        "the relay gave no answer to 'vhost handover' on {} within {} s; see {}",
        launch.control_socket().string(), kHandoverAnswerTimeoutMs / 1000, launch.log().string()));
  }
  if (!reply->starts_with("ok ")) {
    throw std::runtime_error(
        fmt::format("the relay refused to hand its vhost-user front ends over, and serves on: {}",
                    trimmed(*reply)));
  }
  return trimmed(*reply);
}

TakeOverStatus take_over_status(const std::string& relay_log_since_start) {
  const std::string& log = relay_log_since_start;
  if (const auto at = log.find("vhost take-over from "); at != std::string::npos) {
    const std::string line = line_at(log, at);
    if (line.find(" failed: ") != std::string::npos) return {TakeOverStatus::State::failed, line};
  }
  if (const auto at = log.find(" front ends served on;"); at != std::string::npos)
    return {TakeOverStatus::State::served, line_at(log, at)};
  return {};
}

std::string wait_for_take_over(const RelayLaunch& launch, std::size_t log_offset,
                               std::chrono::steady_clock::time_point deadline) {
  while (true) {
    throw_if_interrupted();
    const std::string text = read_text_file(launch.log());
    const auto status = take_over_status(log_offset < text.size() ? text.substr(log_offset) : "");
    if (status.state == TakeOverStatus::State::served) return status.line;
    if (status.state == TakeOverStatus::State::failed) {
      throw std::runtime_error(
          fmt::format("the new relay could not take the vhost-user front ends over, so the "
                      "guests' radios are cut off until their VMs restart: {}",
                      status.line));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error(
          fmt::format("the new relay said nothing of its vhost-user take-over in time; see {}",
                      launch.log().string()));
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
}

}  // namespace vmesh::launcher
