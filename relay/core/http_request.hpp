// The little HTTP the metrics endpoint needs: recognise one request's head (request line
// and headers, up to a size limit) and build a complete response with Connection: close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace vmesh::relay {

inline constexpr std::size_t kMaxHttpRequestBytes = 8192;

struct HttpRequestHead {
  enum class Status : std::uint8_t {
    need_more,
    complete,
    too_large,
    invalid
  } status = Status::need_more;
  std::string method;
  std::string path;  // without the query string
};

// Looks for the end of the head ("\r\n\r\n", or "\n\n" from hand-typed requests) in
// `bytes`. too_large once kMaxHttpRequestBytes arrived without it; invalid when the
// request line is not "METHOD TARGET HTTP/x". No throws except bad_alloc.
HttpRequestHead parse_http_request_head(std::span<const std::uint8_t> bytes);

// "HTTP/1.1 <status> <reason>" with Content-Type, Content-Length and Connection: close,
// then `body`. `extra_headers` are whole lines with "\r\n" each.
std::string http_response(int status, const std::string& content_type, const std::string& body,
                          const std::string& extra_headers = {});

// The answer of the metrics endpoint to a request head: 200 with `metrics_body` for
// GET /metrics, 405 for another method, 404 for another path, 400 / 431 for bad heads.
// Only calls `metrics_body` for the 200 case.
std::string metrics_http_answer(const HttpRequestHead& head,
                                const std::function<std::string()>& metrics_body);

}  // namespace vmesh::relay
