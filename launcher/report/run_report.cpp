#include "launcher/report/run_report.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vmesh::launcher {

std::string format_report_table(const RunReport& report) {
  std::string out;
  std::size_t width = 5;
  for (const auto& check : report.checks) width = std::max(width, check.name.size());
  if (!report.checks.empty()) {
    out += fmt::format("{:<{}}  {:<6}  {:>7}  {}\n", "check", width, "result", "seconds", "detail");
    for (const auto& check : report.checks) {
      const char* result = check.skipped ? "SKIP" : check.passed ? "PASS" : "FAIL";
      out += fmt::format("{:<{}}  {:<6}  {:>7.1f}  {}\n", check.name, width, result, check.seconds,
                         check.detail);
    }
  }
  if (!report.actions.empty()) {
    std::size_t action_width = 6;
    for (const auto& action : report.actions)
      action_width = std::max(action_width, action.name.size());
    out += fmt::format("{:<{}}  {:<6}  {:>7}  {:>7}  {}\n", "action", action_width, "result",
                       "at s", "seconds", "detail");
    for (const auto& action : report.actions) {
      const char* result = action.skipped ? "SKIP" : action.passed ? "DONE" : "FAIL";
      out += fmt::format("{:<{}}  {:<6}  {:>7.1f}  {:>7.1f}  {}\n", action.name, action_width,
                         result, action.started_s, action.seconds, action.detail);
    }
  }
  if (report.command_exit) out += fmt::format("command exited with {}\n", *report.command_exit);
  out += fmt::format(
      "{}: {} in {:.1f} s (image {:.1f} s, boot to SSH {:.1f} s, mesh {:.1f} s, checks {:.1f} s)\n",
      report.topology, report.passed ? "PASSED" : "FAILED", report.total_s, report.times.image_s,
      report.times.boot_to_ssh_s, report.times.mesh_s, report.times.checks_s);
  return out;
}

std::string report_json(const RunReport& report) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& check : report.checks) {
    checks.push_back({{"name", check.name},
                      {"result", check.skipped  ? "skip"
                                 : check.passed ? "pass"
                                                : "fail"},
                      {"seconds", check.seconds},
                      {"attempts", check.attempts},
                      {"detail", check.detail}});
  }
  nlohmann::json actions = nlohmann::json::array();
  for (const auto& action : report.actions) {
    nlohmann::json json = {{"name", action.name},
                           {"result", action.skipped ? "skip" : action.passed ? "done" : "fail"},
                           {"at_s", action.at_s},
                           {"started_s", action.started_s},
                           {"seconds", action.seconds},
                           {"detail", action.detail}};
    if (action.down_s) json["down_s"] = *action.down_s;
    if (action.reconnected_s) json["reconnected_s"] = *action.reconnected_s;
    actions.push_back(json);
  }
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& node : report.nodes) nodes.push_back(node_to_json(node));
  nlohmann::json json = {{"topology", report.topology},
                         {"passed", report.passed},
                         {"error", report.error},
                         {"checks", checks},
                         {"actions", actions},
                         {"relay_applies_topology", true},  // the relay always gets --topology
                         {"times_s",
                          {{"image", report.times.image_s},
                           {"boot_to_ssh", report.times.boot_to_ssh_s},
                           {"mesh", report.times.mesh_s},
                           {"checks", report.times.checks_s},
                           {"total", report.total_s}}},
                         {"run_dir", report.run_dir},
                         {"relay_pid", report.relay_pid},
                         {"relay_stats_jsonl", report.relay_stats_jsonl.empty()
                                                   ? nlohmann::json()
                                                   : nlohmann::json(report.relay_stats_jsonl)},
                         {"nodes", nodes}};
  json["command_exit"] =
      report.command_exit ? nlohmann::json(*report.command_exit) : nlohmann::json();
  return json.dump(2) + "\n";
}

}  // namespace vmesh::launcher
