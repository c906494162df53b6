// Runs the real vmesh-relay binary on free loopback ports for a test and stops it by PID.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmesh::test {

class RelayProcess {
 public:
  // Starts vmesh-relay with `--ports-base 0 --no-vsock --ports-file ...
  // --control-socket DIR/control.sock` plus `extra_args` and waits until it listens. Fails the test
  // (throws) if it does not start in 5 s. `max_open_files` > 0 sets RLIMIT_NOFILE in the child.
  explicit RelayProcess(const std::vector<std::string>& extra_args = {}, int max_open_files = 0,
                        bool vsock = false);
  ~RelayProcess();
  RelayProcess(const RelayProcess&) = delete;
  RelayProcess& operator=(const RelayProcess&) = delete;

  // SIGTERM, then waits; returns the exit status (or -signal).
  int stop();
  // Waits for the relay to exit by itself: its exit status (or -signal), or nullopt when it
  // still runs after timeout_ms.
  std::optional<int> wait_exit(int timeout_ms);
  // What the relay logged on stderr so far.
  std::string log() const;
  // Polls the control port until `count` clients (and `spies` spies) are registered.
  void wait_for_peers(std::uint32_t clients, std::uint32_t spies = 0) const;

  pid_t pid() const { return pid_; }
  // Open descriptors of the relay process, from /proc.
  int open_fds() const;

  std::uint16_t tcp_port = 0;
  std::uint16_t spy_port = 0;
  std::uint16_t control_port = 0;
  std::uint16_t txstatus_port = 0;
  std::uint32_t vsock_port = 0;    // 0 when the relay has no VSOCK listener
  std::uint16_t metrics_port = 0;  // 0 without --metrics-listen
  // The relay's scratch directory (ports file, log); removed with the object.
  const std::string& dir() const { return dir_; }
  // The owner-only Unix socket of the text commands (--control-socket).
  std::string control_socket() const { return dir_ + "/control.sock"; }

 private:
  pid_t pid_ = -1;
  std::string dir_;
};

}  // namespace vmesh::test
