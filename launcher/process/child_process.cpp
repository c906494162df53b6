#include "launcher/process/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>
#include <utility>

namespace vmesh::launcher {
namespace {

[[noreturn]] void child_fail(int report_fd, int error) {
  // Only async-signal-safe calls between fork and exec.
  ssize_t ignored = write(report_fd, &error, sizeof error);
  (void)ignored;
  _exit(127);
}

int open_for_output(const std::filesystem::path& path) {
  return open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

}  // namespace

int exit_code_from_status(int status) noexcept {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

ChildProcess ChildProcess::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) throw std::invalid_argument("spawn: empty argv");
  const std::string what = "starting " + options.argv.front();
  // Everything the child needs is prepared before fork (no allocation after it).
  // Extra entries replace inherited (and earlier extra) ones of the same name.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& extra : options.env) {
    const auto name = extra.substr(0, extra.find('=') + 1);
    std::erase_if(env_strings, [&](const std::string& entry) { return entry.starts_with(name); });
    env_strings.push_back(extra);
  }
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = options.argv;
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int out_fd = -1;
  int err_fd = -1;
  if (options.stdout_to) {
    out_fd = open_for_output(*options.stdout_to);
    if (out_fd < 0)
      throw std::system_error(errno, std::generic_category(),
                              what + ": " + options.stdout_to->string());
  }
  if (options.stderr_to) {
    err_fd = open_for_output(*options.stderr_to);
    if (err_fd < 0) {
      const int error = errno;
      if (out_fd >= 0) close(out_fd);
      throw std::system_error(error, std::generic_category(),
                              what + ": " + options.stderr_to->string());
    }
  }
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    const int error = errno;
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
    throw std::system_error(error, std::generic_category(), what + ": pipe2");
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(report[0]);
    close(report[1]);
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
    throw std::system_error(error, std::generic_category(), what + ": fork");
  }
  if (pid == 0) {
    close(report[0]);
    if (options.own_session) setsid();
    if (options.die_with_parent) {
      if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report[1], errno);
      // The parent may have died before prctl took effect.
      if (getppid() != parent) _exit(127);
    }
    // Undo the parent's signal handling: handlers do not survive exec, but ignored and
    // blocked signals would.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    if (options.stdin_null) {
      const int null_fd = open("/dev/null", O_RDONLY);
      if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0) child_fail(report[1], errno);
    }
    if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0) child_fail(report[1], errno);
    if (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0) child_fail(report[1], errno);
    execvpe(argv[0], argv.data(), envp.data());
    child_fail(report[1], errno);
  }
  close(report[1]);
  if (out_fd >= 0) close(out_fd);
  if (err_fd >= 0) close(err_fd);
  ChildProcess child(pid, options.own_session);
  int child_error = 0;
  ssize_t n;
  do {
    n = read(report[0], &child_error, sizeof child_error);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == static_cast<ssize_t>(sizeof child_error)) {
    child.wait_for(std::chrono::milliseconds(2000));
    throw std::system_error(child_error, std::generic_category(), what);
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      exit_code_(std::exchange(other.exit_code_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (owns_process()) stop(std::chrono::milliseconds(2000));
    pid_ = std::exchange(other.pid_, -1);
    group_leader_ = std::exchange(other.group_leader_, false);
    exit_code_ = std::exchange(other.exit_code_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (owns_process()) stop(std::chrono::milliseconds(2000));
}

std::optional<int> ChildProcess::try_wait() {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    exit_code_ = exit_code_from_status(status);
  } else if (r < 0) {
    exit_code_ = 255;  // not our child any more (ECHILD): nothing left to reap
  }
  return exit_code_;
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (auto code = try_wait()) return code;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_code_.value_or(255);
  if (auto code = try_wait()) return *code;
  send_signal(SIGTERM);
  if (auto code = wait_for(grace)) return *code;
  send_signal(SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  exit_code_ = r == pid_ ? exit_code_from_status(status) : 255;
  return *exit_code_;
}

void ChildProcess::send_signal(int signal_number) const noexcept {
  // Only while the child is unreaped: its PID (and so its group id) cannot be reused yet.
  if (pid_ <= 0 || exit_code_) return;
  if (group_leader_ && kill(-pid_, signal_number) == 0) return;
  kill(pid_, signal_number);
}

pid_t ChildProcess::release() noexcept {
  exit_code_.reset();
  return std::exchange(pid_, -1);
}

}  // namespace vmesh::launcher
