// A started child process owned by PID: fork/exec, optional PR_SET_PDEATHSIG and its own
// process group, and kill + reap in the destructor. Move-only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vmesh::launcher {

struct SpawnOptions {
  std::vector<std::string> argv;                   // argv[0] is looked up in PATH
  std::optional<std::filesystem::path> stdout_to;  // else inherited
  std::optional<std::filesystem::path> stderr_to;  // else inherited; may equal stdout_to
  bool stdin_null = true;
  // PR_SET_PDEATHSIG(SIGKILL): the child dies with this process (crash included).
  bool die_with_parent = true;
  // setsid(): own session and process group, so a terminal's Ctrl-C reaches only vmesh,
  // which then tears the children down in order.
  bool own_session = true;
  std::vector<std::string> env;  // extra NAME=VALUE entries, replacing inherited ones
};

class ChildProcess {
 public:
  ChildProcess() = default;
  // fork + execvp. Throws std::system_error naming argv[0] when fork, exec or opening a
  // redirection file fails (the exec error is reported back through a CLOEXEC pipe).
  static ChildProcess spawn(const SpawnOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // stop() with a short grace period. Never throws.
  ~ChildProcess();

  pid_t pid() const noexcept { return pid_; }
  bool owns_process() const noexcept { return pid_ > 0 && !exit_code_; }
  // Reaps without blocking (waitpid WNOHANG); the exit code once it has exited: the exit
  // status, or 128 + signal number when killed by a signal.
  std::optional<int> try_wait();
  // Blocks until the child exits (or the timeout passes: nullopt).
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // SIGTERM, up to `grace` for it to exit, then SIGKILL (to its process group if it leads
  // one: everything in it descends from this child); always reaps. Returns the exit
  // code; does nothing for a child already reaped.
  int stop(std::chrono::milliseconds grace);
  // Gives up ownership (the process keeps running, e.g. for `vmesh up`); returns its PID.
  pid_t release() noexcept;

 private:
  ChildProcess(pid_t pid, bool group_leader) : pid_(pid), group_leader_(group_leader) {}
  // Signals go to pid_, or to its whole process group when it leads one (own_session):
  // helpers such as build-image.sh leave no grandchildren behind.
  void send_signal(int signal_number) const noexcept;
  pid_t pid_ = -1;
  bool group_leader_ = false;
  std::optional<int> exit_code_;
};

// Exit code in ChildProcess's convention from a waitpid status.
int exit_code_from_status(int status) noexcept;

}  // namespace vmesh::launcher
