#include "medium/decision_log.hpp"

#include <array>
#include <charconv>
#include <ostream>

namespace vmesh::medium {

namespace {

constexpr std::array<Verdict, 6> kVerdicts{Verdict::deliver,        Verdict::drop_loss,
                                           Verdict::drop_deaf,      Verdict::drop_rate,
                                           Verdict::drop_node_down, Verdict::drop_channel};

template <typename T>
bool parse_field(std::string_view& rest, T& value) {
  const std::size_t end = std::min(rest.find(' '), rest.size());
  const std::string_view field = rest.substr(0, end);
  const auto result = std::from_chars(field.data(), field.data() + field.size(), value);
  if (result.ec != std::errc{} || result.ptr != field.data() + field.size() || field.empty())
    return false;
  rest.remove_prefix(std::min(end + 1, rest.size()));
  return true;
}

}  // namespace

std::string format_decision(const Decision& decision) {
  std::string line = std::to_string(decision.time_us);
  line += ' ';
  line += std::to_string(decision.sender);
  line += ' ';
  line += std::to_string(decision.receiver);
  line += ' ';
  line += to_string(decision.verdict);
  line += ' ';
  line += std::to_string(decision.delay_us);
  line += ' ';
  line += std::to_string(decision.signal_dbm);
  return line;
}

std::optional<Decision> parse_decision(std::string_view line) {
  Decision decision;
  std::string_view rest = line;
  int signal = 0;
  if (!parse_field(rest, decision.time_us) || !parse_field(rest, decision.sender) ||
      !parse_field(rest, decision.receiver)) {
    return std::nullopt;
  }
  const std::size_t end = std::min(rest.find(' '), rest.size());
  const std::string_view verdict = rest.substr(0, end);
  bool known = false;
  for (Verdict candidate : kVerdicts) {
    if (to_string(candidate) == verdict) {
      decision.verdict = candidate;
      known = true;
    }
  }
  if (!known || end == rest.size()) return std::nullopt;
  rest.remove_prefix(end + 1);
  if (!parse_field(rest, decision.delay_us) || !parse_field(rest, signal) || !rest.empty())
    return std::nullopt;
  if (signal < -128 || signal > 127) return std::nullopt;
  decision.signal_dbm = static_cast<std::int8_t>(signal);
  return decision;
}

void DecisionLog::record(std::uint64_t time_us, NodeId sender,
                         std::span<const Delivery> deliveries) {
  for (const Delivery& delivery : deliveries) {
    decisions_.push_back(Decision{time_us, sender, delivery.receiver, delivery.verdict,
                                  delivery.delay_us, delivery.signal_dbm});
  }
}

void DecisionLog::write(std::ostream& out) const {
  for (const Decision& decision : decisions_) out << format_decision(decision) << '\n';
}

std::string DecisionLog::text() const {
  std::string out;
  for (const Decision& decision : decisions_) {
    out += format_decision(decision);
    out += '\n';
  }
  return out;
}

std::optional<DecisionLog> DecisionLog::parse(std::string_view text) {
  DecisionLog log;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;  // every line ends with '\n'
    auto decision = parse_decision(text.substr(0, end));
    if (!decision) return std::nullopt;
    log.decisions_.push_back(*decision);
    text.remove_prefix(end + 1);
  }
  return log;
}

}  // namespace vmesh::medium
