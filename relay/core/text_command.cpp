#include "relay/core/text_command.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "medium/units.hpp"

namespace vmesh::relay {

namespace {

TextParse invalid(std::string error) {
  TextParse p;
  p.status = TextParse::Status::invalid;
  p.error = std::move(error);
  return p;
}

// Applies "key=value" to `changes`; returns an error message or empty.
std::string apply_setting(const std::string& setting, medium::LinkOverrides& changes) {
  const auto eq = setting.find('=');
  if (eq == std::string::npos) return "expected key=value, got '" + setting + "'";
  const std::string key = setting.substr(0, eq);
  const std::string value = setting.substr(eq + 1);
  if (key == "loss") {
    double p = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), p);
    if (ec != std::errc{} || end != value.data() + value.size() || p < 0 || p > 1) {
      return "loss must be a probability in [0, 1], got '" + value + "'";
    }
    changes.loss_prob = p;
  } else if (key == "delay" || key == "jitter") {
    const auto d = medium::parse_duration(value);
    if (!d.value_us) return key + " must be a duration like 20ms, got '" + value + "'";
    (key == "delay" ? changes.delay_us : changes.jitter_us) = *d.value_us;
  } else if (key == "rate") {
    const auto r = medium::parse_rate_bps(value);
    if (!r.value_us) return "rate must be like 10mbps, got '" + value + "'";
    changes.rate_bps = *r.value_us;
  } else if (key == "signal") {
    int dbm = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), dbm);
    if (ec != std::errc{} || end != value.data() + value.size() || dbm < -128 || dbm > -10) {
      return "signal must be dBm in [-128, -10], got '" + value + "'";
    }
    changes.signal_dbm = dbm;
  } else {
    return "unknown link setting '" + key + "' (loss, delay, jitter, rate, signal)";
  }
  return {};
}

}  // namespace

bool is_text_command(std::span<const std::uint8_t> bytes) {
  return !bytes.empty() &&
         ((bytes[0] >= 'a' && bytes[0] <= 'z') || (bytes[0] >= 'A' && bytes[0] <= 'Z'));
}

TextParse parse_text_command(std::span<const std::uint8_t> bytes) {
  const auto newline = std::find(bytes.begin(), bytes.end(), std::uint8_t{'\n'});
  if (newline == bytes.end()) {
    if (bytes.size() >= kMaxTextCommandBytes) return invalid("command line longer than 4096 bytes");
    return {};
  }
  std::string line(bytes.begin(), newline);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::istringstream words(line);
  std::vector<std::string> w;
  for (std::string word; words >> word;) w.push_back(word);

  TextParse p;
  p.status = TextParse::Status::complete;
  if (w.size() == 1 && w[0] == "stats") {
    p.command.kind = TextCommand::Kind::stats;
    return p;
  }
  if (w.size() == 2 && w[0] == "reload") {
    p.command.kind = TextCommand::Kind::reload;
    p.command.path = w[1];
    return p;
  }
  if (w.size() == 3 && w[0] == "capture" && w[1] == "start") {
    // The relay's working directory is nobody's business; a relative path would land there.
    if (w[2].front() != '/') return invalid("capture start: " + w[2] + " must be absolute");
    p.command.kind = TextCommand::Kind::capture_start;
    p.command.path = w[2];
    return p;
  }
  if (w.size() == 2 && w[0] == "timeline" && w[1] == "start") {
    p.command.kind = TextCommand::Kind::timeline_start;
    return p;
  }
  if (w.size() == 2 && w[0] == "capture" && w[1] == "stop") {
    p.command.kind = TextCommand::Kind::capture_stop;
    return p;
  }
  if ((w.size() == 3 || w.size() == 4) && w[0] == "vhost" && w[1] == "handover") {
    if (w[2].front() != '/') return invalid("vhost handover: " + w[2] + " must be absolute");
    p.command.kind = TextCommand::Kind::vhost_handover;
    p.command.path = w[2];
    p.command.wait_ms = kDefaultHandoverWaitMs;
    if (w.size() == 4) {
      const auto d = w[3].starts_with("wait=") ? medium::parse_duration(w[3].substr(5))
                                               : medium::DurationResult{};
      const std::uint64_t ms = d.value_us.value_or(0) / 1000;
      if (!d.value_us || ms < kMinHandoverWaitMs || ms > kMaxHandoverWaitMs)
        return invalid("vhost handover: expected wait=D with D from 100ms to 10min, got '" + w[3] +
                       "'");
      p.command.wait_ms = ms;
    }
    return p;
  }
  if (w.size() >= 4 && w[0] == "link" && w[1] == "set") {
    p.command.kind = TextCommand::Kind::link_set;
    p.command.node_a = w[2];
    p.command.node_b = w[3];
    for (std::size_t i = 4; i < w.size(); ++i) {
      if (w[i] == "oneway") {
        p.command.one_way = true;
        continue;
      }
      if (std::string error = apply_setting(w[i], p.command.changes); !error.empty())
        return invalid(error);
    }
    return p;
  }
  return invalid("unknown command '" + line +
                 "' (stats | link set A B key=value... [oneway] | reload PATH | timeline start | "
                 "capture start PATH | capture stop | vhost handover PATH [wait=D])");
}

}  // namespace vmesh::relay
