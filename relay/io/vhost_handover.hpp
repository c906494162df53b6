// The handover socket between a stopping relay and the relay taking its vhost-user front
// ends over: AF_UNIX SOCK_SEQPACKET, one record (handover_record.hpp) per message, its fds
// beside it as SCM_RIGHTS. The giver sends hello, its listeners, its connections and end;
// the taker answers ack once everything came, and only then does either side count the
// front ends as handed over. Both sides are blocking with a deadline: the stopping relay
// runs this after its event loop, the new relay before its loop starts.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "relay/vhost/handover_record.hpp"

namespace vmesh::relay {

// What went wrong with a handover, in words for the log ("record 3: ...").
struct HandoverFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct HandedListener {
  std::string node;
  UniqueFd fd;
};

// A connection's state and the fds it names (the decoded state holds their numbers).
struct HandedConnection {
  vhost::HandoverConnection state;
  std::vector<UniqueFd> fds;
};

struct TakenHandover {
  std::uint32_t giver_pid = 0;
  std::vector<HandedListener> listeners;
  std::vector<HandedConnection> connections;
};

// The process at the other end of a connected Unix socket (SO_PEERCRED).
struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
};
// Throws HandoverFailure when the kernel does not say.
PeerCredentials peer_credentials(int socket_fd);

// The new relay: connects to `path`, checks the giver runs as this process's user, takes
// every record until end and acknowledges them all. Waits at most `timeout_ms` in all.
// Throws HandoverFailure naming what was wrong; every fd received is closed then.
TakenHandover take_handover(const std::string& path, int timeout_ms);

// The stopping relay: sends `records` (hello first, end last) to an accepted taker and
// waits for its ack until `timeout_ms` has passed. Returns the ack; throws HandoverFailure
// (the taker went away, sent something else, or did not answer in time). The records' fds
// stay the caller's.
vhost::HandoverAck give_handover(int taker_fd, const std::vector<vhost::HandoverRecord>& records,
                                 int timeout_ms);

}  // namespace vmesh::relay
