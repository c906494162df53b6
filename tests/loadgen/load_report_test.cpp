#include "bench/loadgen/load_report.hpp"

#include <gtest/gtest.h>

#include "bench/loadgen/json_line.hpp"
#include "tests/loadgen/flat_json.hpp"

namespace vmesh::bench {
namespace {

using testing::FlatJsonParser;

const char* const kNumericFields[] = {"clients",
                                      "batch",
                                      "window_frames",
                                      "frame_bytes",
                                      "message_bytes",
                                      "measured_s",
                                      "frames_sent",
                                      "deliveries",
                                      "deliveries_per_s",
                                      "mb_per_s",
                                      "client_deliveries_min",
                                      "client_deliveries_max",
                                      "latency_samples",
                                      "latency_p50_us",
                                      "latency_p90_us",
                                      "latency_p99_us",
                                      "latency_max_us",
                                      "decode_errors",
                                      "disconnects",
                                      "frames_lost",
                                      "frames_stale",
                                      "connect_failures",
                                      "window_stalls",
                                      "generator_cpu_s"};

TEST(JsonLine, WritesNumbersStringsAndEscapes) {
  JsonLine json;
  json.add("a", std::uint64_t{18446744073709551615ULL})
      .add("b", std::int64_t{-3})
      .add("c", 1.5, 2)
      .add("d", std::string_view("q\"uote\\\n"))
      .add("e", 0.0 / 0.0);
  EXPECT_EQ(json.str(), R"({"a":18446744073709551615,"b":-3,"c":1.50,"d":"q\"uote\\\n","e":null})");
  FlatJsonParser parser(json.str());
  const auto parsed = parser.parse();
  ASSERT_TRUE(parsed.has_value()) << parser.error();
  EXPECT_EQ(std::get<std::string>(parsed->at("d")), "q\"uote\\\n");
}

TEST(FlatJsonParser, RejectsMalformedText) {
  for (const char* bad : {"", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1} x", "{a:1}",
                          "{\"a\":1,\"a\":2}", "{\"a\":-}", "{\"a\":1.}"}) {
    EXPECT_FALSE(FlatJsonParser(bad).parse().has_value()) << bad;
  }
  EXPECT_TRUE(FlatJsonParser(R"({"a":-1.5e3,"b":true,"c":null,"d":"x"})").parse().has_value());
}

TEST(LoadReport, JsonHasEveryFieldAndTheyAreNumeric) {
  LoadReport report;
  report.mode = LoadMode::latency;
  report.target = "127.0.0.1:8212";
  report.clients = 5;
  report.measured_s = 2.0;
  report.deliveries = 1000;
  report.bytes_received = 4'000'000;
  report.latency_p99_us = 12.34;
  FlatJsonParser parser(report.to_json());
  const auto parsed = parser.parse();
  ASSERT_TRUE(parsed.has_value()) << parser.error() << ": " << report.to_json();
  for (const char* field : kNumericFields) {
    ASSERT_TRUE(parsed->contains(field)) << field;
    EXPECT_TRUE(std::holds_alternative<double>(parsed->at(field))) << field;
  }
  EXPECT_EQ(std::get<std::string>(parsed->at("mode")), "latency");
  EXPECT_EQ(std::get<std::string>(parsed->at("target")), "127.0.0.1:8212");
  EXPECT_DOUBLE_EQ(std::get<double>(parsed->at("deliveries_per_s")), 500.0);
  EXPECT_DOUBLE_EQ(std::get<double>(parsed->at("mb_per_s")), 2.0);
  EXPECT_DOUBLE_EQ(std::get<double>(parsed->at("latency_p99_us")), 12.3);  // one decimal
}

}  // namespace
}  // namespace vmesh::bench
