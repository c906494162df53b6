#include "launcher/ssh/ssh_session.hpp"

#include <libssh/libssh.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <utility>

#include <fmt/format.h>

namespace vmesh::launcher {
namespace {

struct KeyDeleter {
  void operator()(ssh_key key) const noexcept { ssh_key_free(key); }
};
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyDeleter>;

struct ChannelDeleter {
  void operator()(ssh_channel channel) const noexcept {
    if (ssh_channel_is_open(channel) != 0) ssh_channel_close(channel);
    ssh_channel_free(channel);
  }
};
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;

}  // namespace

struct SshSession::Impl {
  ssh_session session = nullptr;
  std::string peer;
  ~Impl() {
    if (session != nullptr) {
      ssh_disconnect(session);
      ssh_free(session);
    }
  }
  [[noreturn]] void fail(const std::string& step) const {
    throw SshError(fmt::format("ssh {}: {}: {}", peer, step, ssh_get_error(session)));
  }
};

SshSession::SshSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SshSession::SshSession(SshSession&&) noexcept = default;
SshSession& SshSession::operator=(SshSession&&) noexcept = default;
SshSession::~SshSession() = default;

std::string SshLogin::describe() const {
  if (!key.empty()) return "the key " + key.string();
  if (password) return password->empty() ? "an empty password" : "a password";
  return "no credential";
}

SshSession SshSession::connect(const std::string& host, std::uint16_t port,
                               const std::filesystem::path& private_key, int timeout_ms) {
  SshLogin login;
  login.key = private_key;
  return connect(host, port, login, timeout_ms);
}

SshSession SshSession::connect(const std::string& host, std::uint16_t port, const SshLogin& login,
                               int timeout_ms) {
  auto impl = std::make_unique<Impl>();
  impl->peer = fmt::format("{}@{}:{}", login.user, host, port);
  impl->session = ssh_new();
  if (impl->session == nullptr) throw SshError("ssh_new failed");
  ssh_session s = impl->session;
  const unsigned int port_value = port;
  const long timeout_s = std::max(1, timeout_ms / 1000);
  const long timeout_usec = static_cast<long>(timeout_ms % 1000) * 1000;
  const int no = 0;
  ssh_options_set(s, SSH_OPTIONS_HOST, host.c_str());
  ssh_options_set(s, SSH_OPTIONS_PORT, &port_value);
  ssh_options_set(s, SSH_OPTIONS_USER, login.user.c_str());
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout_s);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &timeout_usec);
  ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);  // ~/.ssh/config is not ours to read
  ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
  if (ssh_connect(s) != SSH_OK) impl->fail("connect");
  int auth = SSH_AUTH_DENIED;
  if (!login.key.empty()) {
    ssh_key raw_key = nullptr;
    if (ssh_pki_import_privkey_file(login.key.c_str(), nullptr, nullptr, nullptr, &raw_key) !=
        SSH_OK) {
      throw SshError(fmt::format("cannot read the SSH private key {}", login.key.string()));
    }
    KeyPtr key(raw_key);
    auth = ssh_userauth_publickey(s, nullptr, key.get());
  } else {
    // An empty password: "none" first, which is how dropbear -B lets a passwordless root
    // in. A password that is not empty is checked as given (a wrong one must be refused).
    if (!login.password || login.password->empty()) auth = ssh_userauth_none(s, nullptr);
    if (auth != SSH_AUTH_SUCCESS && auth != SSH_AUTH_ERROR && login.password) {
      auth = ssh_userauth_password(s, nullptr, login.password->c_str());
    }
  }
  if (auth == SSH_AUTH_ERROR) impl->fail("authentication (" + login.describe() + ")");
  if (auth != SSH_AUTH_SUCCESS) {
    throw SshAuthError(
        fmt::format("ssh {}: the login with {} was refused", impl->peer, login.describe()));
  }
  return SshSession(std::move(impl));
}

namespace {

// Forwards what input_fd has ready to the channel; at the file's end (or when either side
// fails) sends EOF and returns false: the input is finished.
bool forward_input(ssh_channel channel, int input_fd) {
  pollfd ready{input_fd, POLLIN, 0};
  if (::poll(&ready, 1, 0) <= 0) return true;
  char buffer[16384];
  const ssize_t n = ::read(input_fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  bool open = n > 0;
  for (ssize_t sent = 0; open && sent < n;) {
    const int wrote =
        ssh_channel_write(channel, buffer + sent, static_cast<std::uint32_t>(n - sent));
    open = wrote > 0;
    sent += wrote;
  }
  if (!open) ssh_channel_send_eof(channel);
  return open;
}

}  // namespace

SshResult SshSession::run(const std::string& command, int timeout_ms, int input_fd) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  ssh_session s = impl_->session;
  ChannelPtr channel(ssh_channel_new(s));
  if (!channel) impl_->fail("new channel");
  if (ssh_channel_open_session(channel.get()) != SSH_OK) impl_->fail("open channel");
  if (ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK) {
    impl_->fail("exec '" + command + "'");
  }
  bool input_open = input_fd >= 0;
  if (!input_open) ssh_channel_send_eof(channel.get());
  SshResult result;
  char buffer[4096];
  bool out_done = false;
  bool err_done = false;
  while (!out_done || !err_done) {
    if (Clock::now() >= deadline) {
      throw SshError(fmt::format("ssh {}: '{}' did not finish within {} ms", impl_->peer, command,
                                 timeout_ms));
    }
    if (input_open) input_open = forward_input(channel.get(), input_fd);
    for (int is_stderr = 0; is_stderr <= 1; ++is_stderr) {
      bool& done = is_stderr != 0 ? err_done : out_done;
      if (done) continue;
      const int n = ssh_channel_read_timeout(channel.get(), buffer, sizeof buffer, is_stderr,
                                             is_stderr != 0 ? 0 : 50);
      if (n == SSH_ERROR) impl_->fail("read from '" + command + "'");
      if (n > 0) {
        (is_stderr != 0 ? result.err : result.out).append(buffer, static_cast<std::size_t>(n));
      } else if (ssh_channel_is_eof(channel.get()) != 0) {
        done = true;
      }
    }
  }
  if (input_open) ssh_channel_send_eof(channel.get());
  result.exit_status = ssh_channel_get_exit_status(channel.get());
  return result;
}

void generate_ssh_key(const std::filesystem::path& private_key, const std::string& comment) {
  ssh_key raw_key = nullptr;
  if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &raw_key) != SSH_OK) {
    throw SshError("cannot generate an ed25519 key (ssh_pki_generate)");
  }
  KeyPtr key(raw_key);
  std::filesystem::remove(private_key);
  if (ssh_pki_export_privkey_file(key.get(), nullptr, nullptr, nullptr, private_key.c_str()) !=
      SSH_OK) {
    throw SshError(fmt::format("cannot write the SSH private key {}", private_key.string()));
  }
  chmod(private_key.c_str(), 0600);
  char* base64 = nullptr;
  if (ssh_pki_export_pubkey_base64(key.get(), &base64) != SSH_OK) {
    throw SshError("cannot export the SSH public key");
  }
  const std::string public_line = fmt::format("ssh-ed25519 {} {}\n", base64, comment);
  ssh_string_free_char(base64);
  const auto public_path = std::filesystem::path(private_key.string() + ".pub");
  std::ofstream out(public_path, std::ios::trunc);
  out << public_line;
  if (!out) throw SshError(fmt::format("cannot write {}", public_path.string()));
}

}  // namespace vmesh::launcher
