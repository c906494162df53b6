// Per directed link counters of the topology medium: frames considered, delivered, and
// dropped by reason, including drops at the relay's own send queue.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "medium/medium.hpp"

namespace vmesh::relay {

enum class DropReason : std::uint8_t {
  loss,
  deaf,
  rate,
  node_down,
  channel,
  queue,
  unbound,
  count
};

const char* to_string(DropReason reason);

struct LinkCounter {
  std::uint64_t sent = 0;       // frames the sender put on this link (not counting deaf ones)
  std::uint64_t delivered = 0;  // frames handed to the receiver's connection
  std::uint64_t dropped[static_cast<int>(DropReason::count)] = {};
  std::uint64_t delay_us_total = 0;   // sum of applied delays, for the mean
  std::uint64_t bytes_sent = 0;       // 802.11 frame bytes of `sent`
  std::uint64_t bytes_delivered = 0;  // 802.11 frame bytes of `delivered`
  // TX-status clients only: unicast frames whose ACK the medium decided on this link,
  // and the retransmissions it simulated (each also counted in `sent` and `dropped`).
  std::uint64_t acked = 0;
  std::uint64_t unacked = 0;
  std::uint64_t retries = 0;
};

class LinkCounters {
 public:
  explicit LinkCounters(std::size_t node_count)
      : node_count_(node_count), counters_(node_count * node_count) {}

  LinkCounter& at(medium::NodeId from, medium::NodeId to) {
    return counters_[from * node_count_ + to];
  }
  const LinkCounter& at(medium::NodeId from, medium::NodeId to) const {
    return counters_[from * node_count_ + to];
  }
  std::size_t node_count() const { return node_count_; }

  // Every link's counters added up (delay_us_total included).
  LinkCounter total() const;

  // {"links":[{"from":"n1","to":"n2","sent":..,"delivered":..,"mean_delay_us":..,
  //   "dropped":{"loss":..,...}[,"tx_status":{"acked":..,"unacked":..,"retries":..}]},...]}
  //   for every pair with traffic (tx_status only where the medium decided ACKs). Does not throw
  //   except bad_alloc.
  std::string to_json(const medium::Topology& topology) const;

 private:
  std::size_t node_count_;
  std::vector<LinkCounter> counters_;
};

}  // namespace vmesh::relay
