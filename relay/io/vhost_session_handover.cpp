// VhostSession's side of a handover: the state a stopping relay lends a new one, and the
// new relay serving on from it (memory mapped again, rings started where they stopped).
#include <fmt/format.h>

#include "relay/io/vhost_session.hpp"

namespace vmesh::relay {

vhost::HandoverConnection VhostSession::hand_over() {
  signal_owed_tx();
  vhost::HandoverConnection state;
  state.features = features_;
  state.protocol_features = protocol_features_;
  state.family_id = guest_.family_id();
  state.radios = guest_.radios();
  for (std::size_t i = 0; i < memory_.region_count(); ++i) {
    state.regions.push_back(memory_.region(i));
    state.region_fds.push_back(mappings_[i].fd.get());
  }
  for (std::uint32_t i = 0; i < vhost::kHwsimQueueCount; ++i) {
    Queue& q = queues_[i];
    vhost::HandoverQueue& out = state.queues[i];
    out.started = q.ring.started();
    if (out.started) q.config.avail_base = q.ring.stop();
    out.size = q.config.size;
    out.desc_user_addr = q.config.desc_user_addr;
    out.avail_user_addr = q.config.avail_user_addr;
    out.used_user_addr = q.config.used_user_addr;
    out.next_avail = q.config.avail_base;
    out.enabled = q.enabled;
    out.kick_fd = q.kick.get();
    out.call_fd = q.call.get();
    out.err_fd = q.err.get();
  }
  state.input = input_;
  for (const UniqueFd& fd : input_fds_) state.input_fds.push_back(fd.get());
  return state;
}

std::size_t VhostSession::pending_rx_messages() const {
  std::size_t count = 0;
  for (auto rest = std::span<const std::uint8_t>(pending_rx_).subspan(pending_head_);;) {
    const std::size_t bytes = vhost::first_message_bytes(rest);
    if (bytes == 0) return count;
    ++count;
    rest = rest.subspan(bytes);
  }
}

bool VhostSession::take_over(const vhost::HandoverConnection& state, std::vector<UniqueFd>& fds,
                             std::string& error) {
  if ((state.features & ~kVhostOfferedFeatures) != 0) {
    error = fmt::format("features {:#x} beyond those offered {:#x}", state.features,
                        kVhostOfferedFeatures);
    return false;
  }
  features_ = state.features;
  protocol_features_ = state.protocol_features & kVhostOfferedProtocolFeatures;
  guest_.restore(state.family_id, state.radios);
  if (!set_mem_table({state.regions, state.region_fds}, fds, error)) return false;
  for (std::uint32_t i = 0; i < vhost::kHwsimQueueCount; ++i) {
    const vhost::HandoverQueue& in = state.queues[i];
    Queue& q = queues_[i];
    q.config.size = in.size;
    q.config.desc_user_addr = in.desc_user_addr;
    q.config.avail_user_addr = in.avail_user_addr;
    q.config.used_user_addr = in.used_user_addr;
    q.config.avail_base = in.next_avail;
    q.enabled = in.enabled;
    q.kick = take_fd(fds, in.kick_fd);
    q.call = take_fd(fds, in.call_fd);
    q.err = take_fd(fds, in.err_fd);
    if (!in.started) continue;
    if (!q.kick) {
      error = fmt::format("queue {} ran without a kick eventfd", i);
      return false;
    }
    // The used ring's own idx says how far the old relay got; the next available index
    // is the one it stopped at.
    if (!start_queue(i, error)) return false;
  }
  input_ = state.input;
  for (int fd : state.input_fds) input_fds_.push_back(take_fd(fds, fd));
  return true;
}

std::uint32_t VhostSession::drop_pending_tx() {
  if (!queue_live(vhost::kHwsimQueueTx)) return 0;
  Queue& q = queues_[vhost::kHwsimQueueTx];
  std::uint32_t dropped = 0;
  while (true) {
    const vhost::PopResult popped = q.ring.pop(chain_);
    if (popped.status == vhost::PopStatus::empty) break;
    if (popped.status == vhost::PopStatus::error) {
      queue_fault(vhost::kHwsimQueueTx, popped.fault);
      return dropped;
    }
    if (const vhost::VringFault used = q.ring.add_used(chain_.head, 0); !used.ok()) {
      queue_fault(vhost::kHwsimQueueTx, used);
      return dropped;
    }
    ++dropped;
  }
  if (q.ring.publish_used()) signal_call(vhost::kHwsimQueueTx);
  return dropped;
}

}  // namespace vmesh::relay
