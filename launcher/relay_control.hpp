// Talking to a running vmesh-relay's control port (127.0.0.1): one text command per
// connection, the reply read until the relay closes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vmesh::launcher {

// Sends `command` (one line, '\n'-terminated) and returns the reply, or nullopt when the
// relay cannot be reached or does not answer within timeout_ms. Does not throw.
std::optional<std::string> relay_control_exchange(std::uint16_t control_port,
                                                  const std::string& command,
                                                  int timeout_ms = 2000);

}  // namespace vmesh::launcher
