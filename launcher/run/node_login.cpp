#include "launcher/run/node_login.hpp"

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
