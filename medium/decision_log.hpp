// A record of medium decisions that can be written as text and compared byte for byte:
// two runs with the same topology, seed and frames give the same log.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medium/medium.hpp"

namespace vmesh::medium {

struct Decision {
  std::uint64_t time_us = 0;
  NodeId sender = 0;
  NodeId receiver = 0;
  Verdict verdict = Verdict::deliver;
  std::uint64_t delay_us = 0;
  std::int8_t signal_dbm = 0;

  friend bool operator==(const Decision&, const Decision&) = default;
};

// One line without the newline: "<time_us> <sender> <receiver> <verdict> <delay_us> <signal_dbm>",
// e.g. "1500 0 2 deliver 2000 -50". Nodes are topology indices.
std::string format_decision(const Decision& decision);

// The inverse of format_decision; nullopt for a malformed line. Does not throw.
std::optional<Decision> parse_decision(std::string_view line);

class DecisionLog {
 public:
  // Appends one Decision per delivery of a frame sent by `sender` at time_us.
  void record(std::uint64_t time_us, NodeId sender, std::span<const Delivery> deliveries);

  const std::vector<Decision>& decisions() const { return decisions_; }

  // All decisions, one line each, '\n'-terminated.
  void write(std::ostream& out) const;
  std::string text() const;

  // Reads text written by write(); nullopt if any line is malformed.
  static std::optional<DecisionLog> parse(std::string_view text);

 private:
  std::vector<Decision> decisions_;
};

}  // namespace vmesh::medium
