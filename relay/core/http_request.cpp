#include "relay/core/http_request.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace vmesh::relay {

namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Error";
  }
}

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

HttpRequestHead parse_http_request_head(std::span<const std::uint8_t> bytes) {
  HttpRequestHead head;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::size_t end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) end = text.find("\n\n");
  if (end == std::string_view::npos) {
    if (bytes.size() >= kMaxHttpRequestBytes) head.status = HttpRequestHead::Status::too_large;
    return head;
  }
  if (end > kMaxHttpRequestBytes) {
    head.status = HttpRequestHead::Status::too_large;
    return head;
  }
  head.status = HttpRequestHead::Status::invalid;
  std::string_view line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return head;
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return head;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!std::all_of(method.begin(), method.end(), is_token_char) || !version.starts_with("HTTP/") ||
      target.find(' ') != std::string_view::npos) {
    return head;
  }
  head.status = HttpRequestHead::Status::complete;
  head.method = std::string(method);
  head.path = std::string(target.substr(0, target.find('?')));
  return head;
}

std::string http_response(int status, const std::string& content_type, const std::string& body,
                          const std::string& extra_headers) {
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n{}",
      status, reason_phrase(status), content_type, body.size(), extra_headers, body);
}

std::string metrics_http_answer(const HttpRequestHead& head,
                                const std::function<std::string()>& metrics_body) {
  using Status = HttpRequestHead::Status;
  if (head.status == Status::too_large)
    return http_response(431, "text/plain", "request header too large\n");
  if (head.status != Status::complete) return http_response(400, "text/plain", "bad request\n");
  if (head.path != "/metrics") return http_response(404, "text/plain", "not found; try /metrics\n");
  if (head.method != "GET") {
    return http_response(405, "text/plain", "method not allowed; use GET\n", "Allow: GET\r\n");
  }
  return http_response(200, "text/plain; version=0.0.4; charset=utf-8", metrics_body());
}

}  // namespace vmesh::relay
