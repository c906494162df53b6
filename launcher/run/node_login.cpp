#include "launcher/run/node_login.hpp"

#include <chrono>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "launcher/process/interrupt.hpp"
#include "launcher/process/text_file.hpp"

namespace vmesh::launcher {

std::optional<SshSession> login_when_ready(const std::filesystem::path& console_log,
                                           std::uintmax_t console_offset, std::uint16_t ssh_port,
                                           const std::filesystem::path& key) {
  if (read_text_file(console_log).find("vmesh-init: ready", console_offset) == std::string::npos)
    return std::nullopt;
  try {
    return SshSession::connect("127.0.0.1", ssh_port, key, 5000);
  } catch (const SshError&) {
    return std::nullopt;
  }
}

SshLogin login_of(const NodeRecord& node) {
  SshLogin login;
  login.user = node.user;
  login.key = node.ssh_key;
  if (node.ssh_key.empty()) login.password = node.password.value_or("");
  return login;
}

std::optional<SshSession> login_to_image(const NodeRecord& node,
                                         std::chrono::steady_clock::time_point& next_try) {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_try) return std::nullopt;
  next_try = now + std::chrono::seconds(1);
  const SshLogin login = login_of(node);
  try {
    return SshSession::connect(node.host, node.ssh_port, login, 5000);
  } catch (const SshAuthError&) {
    throw std::runtime_error(fmt::format(
        "node {}: image {} refused the SSH login of {} with {} ({}:{}, forwarded to the guest's "
        "{}); set the login the image accepts in its recipe: [image.login] password = \"...\" "
        "or key = \"PRIVATE_KEY_FILE\" (docs/firmware-images.md)",
        node.name, node.image, login.user, login.describe(), node.host, node.ssh_port,
        node.ssh_guest));
  } catch (const SshError&) {
    return std::nullopt;  // not up yet: QEMU accepts the connection, the guest does not answer
  }
}

void run_setup(SshSession& session, const std::string& node_name,
               const std::vector<std::string>& commands, const std::filesystem::path& log) {
  std::ofstream out(log, std::ios::app);
  for (std::size_t i = 0; i < commands.size(); ++i) {
    throw_if_interrupted();
    const std::string& command = commands[i];
    const auto started = std::chrono::steady_clock::now();
    out << "$ " << command << "\n" << std::flush;
    const auto result = session.run(command, 120000);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    out << result.out << result.err
        << fmt::format("[exit {}, {:.1f} s]\n", result.exit_status, took.count()) << std::flush;
    if (result.exit_status != 0) {
      throw std::runtime_error(fmt::format(
          "node {}: setup command {} of {} failed (exit {}): {}\n{}{}(all setup output: {})",
          node_name, i + 1, commands.size(), result.exit_status, command, result.out, result.err,
          log.string()));
    }
  }
}

void run_provision(SshSession& session, const std::string& node_name,
                   const std::vector<std::string>& commands) {
  for (const auto& command : commands) {
    throw_if_interrupted();
    const auto result = session.run(command, 60000);
    if (result.exit_status != 0) {
      throw std::runtime_error(fmt::format("provision of {}: '{}' exited {}: {}{}", node_name,
                                           command, result.exit_status, result.out, result.err));
    }
  }
}

std::uintmax_t file_size_or_zero(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

}  // namespace vmesh::launcher
