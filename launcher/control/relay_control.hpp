// Talking to a running vmesh-relay through its control socket (--control-socket PATH, a
// Unix stream socket of mode 0600): one '\n'-terminated text command per connection
// (`stats`, `link set A B loss=0.3`, `reload PATH`, ...), the reply read until the relay
// closes the connection.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace vmesh::launcher {

// Sends `command` (one line, '\n'-terminated) to the relay listening on `socket_path` and
// returns the whole reply, or nullopt when the socket cannot be reached (missing, refused,
// path too long for sockaddr_un) or the reply is not complete within timeout_ms in total.
// Maps to socket(AF_UNIX) + connect + send + poll/recv. Does not throw.
std::optional<std::string> relay_control_exchange(const std::filesystem::path& socket_path,
                                                  const std::string& command,
                                                  int timeout_ms = 2000);

}  // namespace vmesh::launcher
