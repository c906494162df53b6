// File descriptors that came beside a Unix socket message (SCM_RIGHTS), taken into owners
// before anything else looks at the message, so a message refused later closes them.
#pragma once

#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "base/common/unique_fd.hpp"

namespace vmesh::relay {

// Appends every fd of the SCM_RIGHTS headers of `msg` (after recvmsg) to `fds`. No throws
// except bad_alloc.
inline void take_scm_rights(msghdr& msg, std::vector<UniqueFd>& fds) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.emplace_back(fd);
    }
  }
}

}  // namespace vmesh::relay
