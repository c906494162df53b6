#include "relay_process.hpp"

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "relay/core/control_protocol.hpp"
#include "test_peer.hpp"

namespace vmesh::test {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::uint16_t json_port(const std::string& json, const std::string& key) {
  const std::regex re("\"" + key + "\":([0-9]+)");
  std::smatch m;
  if (!std::regex_search(json, m, re))
    throw std::runtime_error("no " + key + " in ports file: " + json);
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

}  // namespace

RelayProcess::RelayProcess(const std::vector<std::string>& extra_args, int max_open_files,
                           bool vsock) {
  char templ[] = "/tmp/vmesh-relay-test-XXXXXX";
  if (::mkdtemp(templ) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = templ;
  const std::string ports_file = dir_ + "/ports.json";
  const std::string log_file = dir_ + "/relay.log";

  std::vector<std::string> args = {VMESH_RELAY_BIN,    "--ports-base",  "0",
                                   "--no-vsock",       "--ports-file",  ports_file,
                                   "--control-socket", control_socket()};
  if (vsock) args.erase(std::find(args.begin(), args.end(), "--no-vsock"));
  args.insert(args.end(), extra_args.begin(), extra_args.end());

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that dies (a sanitizer report, an abort) takes its relay with it, and the relay
    // holds none of the test's output pipes, so ctest never waits on it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    FILE* log = std::freopen(log_file.c_str(), "w", stderr);
    (void)log;
    FILE* out = std::freopen("/dev/null", "w", stdout);
    (void)out;
    if (max_open_files > 0) {
      const rlimit limit{static_cast<rlim_t>(max_open_files), static_cast<rlim_t>(max_open_files)};
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string json = read_file(ports_file);
    if (!json.empty()) {
      tcp_port = json_port(json, "tcp");
      spy_port = json_port(json, "spy");
      control_port = json_port(json, "control");
      txstatus_port = json_port(json, "txstatus");
      if (json.find("\"vsock\":null") == std::string::npos) vsock_port = json_port(json, "vsock");
      if (json.find("\"metrics\":") != std::string::npos) metrics_port = json_port(json, "metrics");
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      const std::string text = log();
      std::system(("rm -rf '" + dir_ + "'").c_str());  // no destructor runs after a throw
      throw std::runtime_error("vmesh-relay exited at start: " + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop();
  std::system(("rm -rf '" + dir_ + "'").c_str());
  throw std::runtime_error("vmesh-relay did not start within 5 s");
}

RelayProcess::~RelayProcess() {
  stop();
  std::system(("rm -rf '" + dir_ + "'").c_str());
}

int RelayProcess::stop() {
  if (pid_ < 0) return 0;
  ::kill(pid_, SIGTERM);
  int status = 0;
  // A relay that ignores SIGTERM is a bug to report, not a reason to hang the suite.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "vmesh-relay did not exit within 10 s of SIGTERM; killed. Its log:\n"
                    << log();
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::optional<int> RelayProcess::wait_exit(int timeout_ms) {
  if (pid_ < 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

int RelayProcess::open_fds() const {
  DIR* d = ::opendir(("/proc/" + std::to_string(pid_) + "/fd").c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (::readdir(d) != nullptr) ++n;
  ::closedir(d);
  return n - 2;  // . and ..
}

std::string RelayProcess::log() const {
  return read_file(dir_ + "/relay.log");
}

void RelayProcess::wait_for_peers(std::uint32_t clients, std::uint32_t spies) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto reply = control_exchange(
        control_port, relay::encode_control_request({.order = relay::ControlOrder::list}));
    if (reply.size() >= 8) {
      std::uint32_t n_spies = 0;
      std::memcpy(&n_spies, reply.data(), 4);
      // Skip the spy records to reach the client count.
      std::size_t at = 4;
      for (std::uint32_t i = 0; i < n_spies && at + 20 <= reply.size(); ++i) {
        std::int32_t name_len = 0;
        std::memcpy(&name_len, reply.data() + at + 16, 4);
        at += 20 + (name_len > 0 ? static_cast<std::size_t>(name_len) + 1 : 0);
      }
      std::uint32_t n_clients = 0;
      if (at + 4 <= reply.size()) std::memcpy(&n_clients, reply.data() + at, 4);
      if (n_clients == clients && n_spies == spies) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw std::runtime_error("relay did not register the expected peers: " + log());
}

}  // namespace vmesh::test
