// MeshRun and its relay: started through RelayLaunch (the record `vmesh relay restart` uses
// too), and the files it writes.
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "launcher/control/relay_control.hpp"
#include "launcher/run/mesh_run.hpp"

namespace vmesh::launcher {

using Clock = std::chrono::steady_clock;

void MeshRun::start_relay() {
  if (setup_.stats_path) {
    // The relay appends; a run starts its file afresh.
    std::ofstream truncate(stats_jsonl_path(), std::ios::trunc);
    if (!truncate) {
      throw std::runtime_error(
          fmt::format("--stats {}: cannot write the file", stats_jsonl_path().string()));
    }
  }
  relay_launch_.relay = setup_.tools.relay;
  relay_launch_.run_dir = setup_.run_dir;
  relay_launch_.topology = std::filesystem::absolute(setup_.topology_path);
  if (setup_.capture_path) relay_launch_.capture = std::filesystem::absolute(*setup_.capture_path);
  if (setup_.stats_path) relay_launch_.stats_jsonl = stats_jsonl_path();
  if (const auto dir = vhost_user_dir(); !dir.empty()) relay_launch_.vhost_user_dir = dir;
  relay_launch_.timeline_waiting =
      setup_.scenario.topology.meta.timeline_start == medium::TimelineStart::ready;
  relay_ = spawn_relay(relay_launch_, setup_.detached, setup_.deadline);
  set_timeline_start(Clock::now());
}

void MeshRun::set_timeline_start(Clock::time_point start) {
  timeline_start_ = start;
  relay_launch_.timeline_start_steady_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count();
}

void MeshRun::start_waiting_timeline() {
  if (!relay_launch_.timeline_waiting) return;
  const auto reply = relay_control_exchange(relay_launch_.control_socket(), "timeline start\n");
  if (!reply || !reply->starts_with("ok")) {
    throw std::runtime_error(
        fmt::format("the relay did not start the timeline (timeline_start = \"ready\"): {}",
                    reply ? *reply : "no answer on " + relay_launch_.control_socket().string()));
  }
  set_timeline_start(Clock::now());
  relay_launch_.timeline_waiting = false;
  if (setup_.detached) save_run_state(state());
}

std::filesystem::path MeshRun::vhost_user_dir() const {
  if (setup_.relay_transport != RelayTransport::vhost_user || !has_vmesh_guest()) return {};
  return setup_.run_dir / "vhost";
}

std::filesystem::path MeshRun::stats_jsonl_path() const {
  return setup_.stats_path ? std::filesystem::absolute(*setup_.stats_path)
                           : std::filesystem::path();
}

}  // namespace vmesh::launcher
