#include "launcher/checks/output_parsers.hpp"

#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

namespace vmesh::launcher {
namespace {

// Calls fn(line) for every line of text.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    fn(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '[' ||
                               line[i] == ']' || line[i] == '(' || line[i] == ')')) {
      ++i;
    }
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '[' &&
           line[j] != ']' && line[j] != '(' && line[j] != ')') {
      ++j;
    }
    if (j > i) words.push_back(line.substr(i, j - i));
    i = j;
  }
  return words;
}

std::vector<MacAddress> macs_in(std::string_view line) {
  std::vector<MacAddress> out;
  for (auto word : split_words(line)) {
    if (word.size() != 17) continue;
    if (auto mac = MacAddress::parse(word)) out.push_back(*mac);
  }
  return out;
}

bool is_header(std::string_view line) {
  return line.find("B.A.T.M.A.N.") != std::string_view::npos ||
         line.find("Originator") != std::string_view::npos ||
         line.find("Neighbor") != std::string_view::npos;
}

std::optional<std::uint32_t> number_before(std::string_view text, std::string_view marker) {
  const auto at = text.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t begin = at;
  while (begin > 0 && text[begin - 1] == ' ') --begin;
  std::size_t end = begin;
  while (begin > 0 && text[begin - 1] >= '0' && text[begin - 1] <= '9') --begin;
  std::uint32_t value = 0;
  const auto r = std::from_chars(text.data() + begin, text.data() + end, value);
  if (r.ec != std::errc() || begin == end) return std::nullopt;
  return value;
}

}  // namespace

std::vector<MacAddress> parse_batctl_neighbors(std::string_view text) {
  std::vector<MacAddress> out;
  for_each_line(text, [&](std::string_view line) {
    if (is_header(line)) return;
    auto macs = macs_in(line);
    if (!macs.empty()) out.push_back(macs.front());
  });
  return out;
}

std::vector<OriginatorEntry> parse_batctl_originators(std::string_view text) {
  std::vector<OriginatorEntry> out;
  for_each_line(text, [&](std::string_view line) {
    if (is_header(line)) return;
    auto macs = macs_in(line);
    if (macs.size() < 2) return;
    const auto first = line.find_first_not_of(" \t");
    const bool best = first != std::string_view::npos && line[first] == '*';
    out.push_back({macs[0], macs[1], best});
  });
  return out;
}

std::optional<MacAddress> best_next_hop(const std::vector<OriginatorEntry>& table,
                                        const MacAddress& originator) {
  for (const auto& entry : table) {
    if (entry.best && entry.originator == originator) return entry.next_hop;
  }
  return std::nullopt;
}

std::vector<MeshPeer> parse_iw_station_dump(std::string_view text) {
  std::vector<MeshPeer> out;
  for_each_line(text, [&](std::string_view line) {
    const auto words = split_words(line);
    if (words.size() >= 2 && words[0] == "Station") {
      if (auto mac = MacAddress::parse(words[1])) out.push_back({.address = *mac});
    } else if (!out.empty() && line.find("mesh plink:") != std::string_view::npos) {
      out.back().established = line.find("ESTAB") != std::string_view::npos;
    } else if (!out.empty() && words.size() == 3 && words[0] == "tx") {
      std::uint64_t* counter = words[1] == "packets:"   ? &out.back().tx_packets
                               : words[1] == "retries:" ? &out.back().tx_retries
                               : words[1] == "failed:"  ? &out.back().tx_failed
                                                        : nullptr;
      if (counter != nullptr)
        std::from_chars(words[2].data(), words[2].data() + words[2].size(), *counter);
    }
  });
  return out;
}

std::optional<PingStats> parse_ping(std::string_view text) {
  std::optional<PingStats> stats;
  for_each_line(text, [&](std::string_view line) {
    auto sent = number_before(line, " packets transmitted");
    if (!sent) return;
    const auto rest = line.substr(line.find(" packets transmitted"));
    auto received = number_before(rest, " packets received");
    if (!received) received = number_before(rest, " received");
    if (received) stats = PingStats{*sent, *received, std::nullopt};
  });
  if (!stats) return stats;
  for_each_line(text, [&](std::string_view line) {
    const auto eq = line.find("min/avg/max");
    if (eq == std::string_view::npos) return;
    const auto values = line.find(" = ", eq);
    if (values == std::string_view::npos) return;
    const auto rest = line.substr(values + 3);
    const auto first_slash = rest.find('/');
    if (first_slash == std::string_view::npos) return;
    const auto avg =
        rest.substr(first_slash + 1, rest.find('/', first_slash + 1) - first_slash - 1);
    try {
      stats->avg_rtt_ms = std::stod(std::string(avg));
    } catch (const std::exception&) {
    }
  });
  return stats;
}

std::optional<double> parse_iperf3_json_mbps(std::string_view json_text) {
  const auto json = nlohmann::json::parse(json_text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("end")) return std::nullopt;
  const auto& end = json["end"];
  for (const char* key : {"sum_received", "sum"}) {
    if (end.contains(key) && end[key].contains("bits_per_second")) {
      return end[key]["bits_per_second"].get<double>() / 1e6;
    }
  }
  return std::nullopt;
}

}  // namespace vmesh::launcher
