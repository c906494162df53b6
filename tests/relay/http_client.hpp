// A minimal blocking HTTP/1.x client over loopback for the metrics endpoint tests.
#pragma once

#include <cstdint>
#include <string>

namespace vmesh::test {

struct HttpReply {
  bool answered = false;  // the relay sent something and closed within the timeout
  int status = 0;         // from the status line, 0 if none
  std::string head;
  std::string body;
};

// Connects to 127.0.0.1:port, sends `request` as is, reads until the relay closes.
HttpReply http_exchange(std::uint16_t port, const std::string& request, int timeout_ms = 3000);

// "GET path HTTP/1.1" with a Host header.
HttpReply http_get(std::uint16_t port, const std::string& path);

// A connected loopback socket (owned by the caller), or -1.
int connect_loopback(std::uint16_t port);

}  // namespace vmesh::test
