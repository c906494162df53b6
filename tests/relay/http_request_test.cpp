#include "relay/core/http_request.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vmesh::relay {
namespace {

HttpRequestHead parse(const std::string& text) {
  return parse_http_request_head({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

using Status = HttpRequestHead::Status;

TEST(HttpRequest, WaitsForTheEndOfTheHead) {
  EXPECT_EQ(parse("").status, Status::need_more);
  EXPECT_EQ(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n").status, Status::need_more);
  const auto head = parse("GET /metrics?name=x HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(head.status, Status::complete);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.path, "/metrics");
  EXPECT_EQ(parse("GET /metrics HTTP/1.0\n\n").status, Status::complete);
}

TEST(HttpRequest, TooLargeAndInvalidHeads) {
  EXPECT_EQ(parse(std::string(kMaxHttpRequestBytes - 1, 'a')).status, Status::need_more);
  EXPECT_EQ(parse(std::string(kMaxHttpRequestBytes, 'a')).status, Status::too_large);
  EXPECT_EQ(parse("GET\r\n\r\n").status, Status::invalid);
  EXPECT_EQ(parse("GET /metrics\r\n\r\n").status, Status::invalid);
  EXPECT_EQ(parse("G\x01T /metrics HTTP/1.1\r\n\r\n").status, Status::invalid);
  EXPECT_EQ(parse("GET /metrics FTP/1\r\n\r\n").status, Status::invalid);
}

TEST(HttpRequest, MetricsAnswers) {
  int bodies = 0;
  const auto body = [&] {
    ++bodies;
    return std::string("x 1\n");
  };
  const auto ok = metrics_http_answer(parse("GET /metrics HTTP/1.1\r\n\r\n"), body);
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("Content-Length: 4\r\n"), std::string::npos);
  EXPECT_NE(ok.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(ok.substr(ok.size() - 4), "x 1\n");
  EXPECT_EQ(metrics_http_answer(parse("GET / HTTP/1.1\r\n\r\n"), body).substr(0, 12),
            "HTTP/1.1 404");
  const auto post = metrics_http_answer(parse("POST /metrics HTTP/1.1\r\n\r\n"), body);
  EXPECT_EQ(post.substr(0, 12), "HTTP/1.1 405");
  EXPECT_NE(post.find("Allow: GET\r\n"), std::string::npos);
  EXPECT_EQ(metrics_http_answer(parse("nonsense\r\n\r\n"), body).substr(0, 12), "HTTP/1.1 400");
  EXPECT_EQ(metrics_http_answer(parse(std::string(kMaxHttpRequestBytes, 'a')), body).substr(0, 12),
            "HTTP/1.1 431");
  EXPECT_EQ(bodies, 1) << "the body is built only for GET /metrics";
}

}  // namespace
}  // namespace vmesh::relay
