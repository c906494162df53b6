// RAII wrapper over a libssh session to one node: connect with a private key, run commands
// with a deadline, capture stdout, stderr and the exit status. Move-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace vmesh::launcher {

// Transport failures: refused/closed connections, rejected keys, timeouts.
class SshError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The guest refused the login itself (wrong password or key, unknown user): waiting longer
// will not help, unlike a connection the guest is not yet ready to take.
class SshAuthError : public SshError {
 public:
  using SshError::SshError;
};

// Who logs in and how: with `key` (a private key file) when set, else with `password`
// (empty: OpenWrt's keyless root, dropbear -B), else with no credential at all.
struct SshLogin {
  std::string user = "root";
  std::filesystem::path key;
  std::optional<std::string> password;
  // "the key /path", "an empty password", "a password", "no credential" for messages.
  std::string describe() const;
};

struct SshResult {
  int exit_status = -1;
  std::string out;
  std::string err;
};

class SshSession {
 public:
  // Connects to root@host:port and authenticates with the private key file (no host key
  // check: the guests are fresh for every run). Throws SshError naming host:port and the
  // step that failed.
  static SshSession connect(const std::string& host, std::uint16_t port,
                            const std::filesystem::path& private_key, int timeout_ms);
  // The same for any login. A login the guest refuses throws SshAuthError.
  static SshSession connect(const std::string& host, std::uint16_t port, const SshLogin& login,
                            int timeout_ms);

  SshSession(SshSession&&) noexcept;
  SshSession& operator=(SshSession&&) noexcept;
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;
  ~SshSession();

  // Runs `command` through the remote shell. Its standard input is what input_fd gives,
  // forwarded as it comes until that file's end (the command's exit ends the wait for
  // more), or empty with input_fd -1: a command that reads its input never waits for input
  // nobody sends. Throws SshError on transport failure or when the command has not
  // finished within timeout_ms (the channel is closed then).
  SshResult run(const std::string& command, int timeout_ms, int input_fd = -1);

 private:
  struct Impl;
  explicit SshSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes a new ed25519 key pair: `private_key` (OpenSSH format, mode 0600) and
// `private_key`.pub ("ssh-ed25519 AAAA... comment"). Throws SshError.
void generate_ssh_key(const std::filesystem::path& private_key, const std::string& comment);

}  // namespace vmesh::launcher
