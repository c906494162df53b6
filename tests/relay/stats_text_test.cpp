// The two text forms of a stats snapshot: a --stats-jsonl line and the Prometheus text.
#include <gtest/gtest.h>

#include "relay/core/prometheus_text.hpp"
#include "relay/core/stats_jsonl.hpp"

namespace vmesh::relay {
namespace {

StatsSnapshot snapshot(std::uint64_t relay_ms, std::uint64_t sent, std::uint64_t delivered,
                       std::uint64_t delay_us_total) {
  StatsSnapshot s;
  s.relay_ms = relay_ms;
  s.unix_ms = 1'700'000'000'000 + relay_ms;
  s.topology = true;
  LinkSample link{0, 1, "n1", "n\"2", {}, 3};
  link.counter.sent = sent;
  link.counter.delivered = delivered;
  link.counter.delay_us_total = delay_us_total;
  link.counter.dropped[static_cast<int>(DropReason::loss)] = sent - delivered;
  s.links.push_back(link);
  s.clients.push_back({7, "client", "127.0.0.1:5", std::string("n1"), 1, 2, 3, 4, 5, 6});
  return s;
}

TEST(StatsJsonl, RatesCoverTheIntervalSinceThePreviousLine) {
  StatsJsonl lines;
  const std::string first = lines.line(snapshot(1000, 100, 50, 50'000));
  EXPECT_NE(first.find(R"("relay_ms":1000,"unix_ms":1700000001000,"interval_ms":1000,)"),
            std::string::npos)
      << first;
  EXPECT_NE(first.find(R"("from":"n1","to":"n\"2","sent":100,"delivered":50,)"), std::string::npos)
      << first;
  EXPECT_NE(first.find(R"("sent_per_s":100.000,"delivered_per_s":50.000,"delivery_ratio":0.5000,)"
                       R"("mean_delay_us":1000)"),
            std::string::npos)
      << first;
  EXPECT_NE(first.find(R"("delay_queue_frames":3)"), std::string::npos);
  const std::string second = lines.line(snapshot(1500, 100, 50, 50'000));
  EXPECT_NE(second.find(R"("interval_ms":500,)"), std::string::npos) << second;
  EXPECT_NE(second.find(R"("sent_per_s":0.000,"delivered_per_s":0.000,"delivery_ratio":null,)"
                        R"("mean_delay_us":null)"),
            std::string::npos)
      << second;
  EXPECT_NE(
      second.find(R"("clients":[{"id":7,"kind":"client","address":"127.0.0.1:5","node":"n1")"),
      std::string::npos)
      << second;
}

TEST(PrometheusText, FamiliesLabelsAndEscaping) {
  const std::string text = prometheus_text(snapshot(2500, 10, 8, 4'000'000));
  EXPECT_NE(text.find("# TYPE vmesh_link_frames_delivered_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("vmesh_link_frames_delivered_total{from=\"n1\",to=\"n\\\"2\"} 8\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("vmesh_link_frames_dropped_total{from=\"n1\",to=\"n\\\"2\",reason=\"loss\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("vmesh_link_delay_seconds_total{from=\"n1\",to=\"n\\\"2\"} 4.000000\n"),
            std::string::npos);
  EXPECT_NE(text.find("vmesh_link_delay_queue_frames{from=\"n1\",to=\"n\\\"2\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("vmesh_client_send_queue_bytes{id=\"7\",kind=\"client\",node=\"n1\"} 6\n"),
            std::string::npos);
  EXPECT_NE(text.find("vmesh_uptime_seconds 2.500\n"), std::string::npos);
  EXPECT_EQ(prometheus_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

}  // namespace
}  // namespace vmesh::relay
