// Logging in to a booted node and provisioning it: shared by the run that boots its nodes
// and by `vmesh node start` on a run started earlier.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "launcher/ssh/ssh_session.hpp"

namespace vmesh::launcher {

// The serial console says when sshd is up; connecting earlier only costs CPU. Only text past
// `console_offset` counts (the console keeps the lines of boots before a node_kill).
// Returns the session, or nullopt when the node is not ready yet or the login failed.
std::optional<SshSession> login_when_ready(const std::filesystem::path& console_log,
                                           std::uintmax_t console_offset, std::uint16_t ssh_port,
                                           const std::filesystem::path& key);

// Runs a node's provision commands in order. Throws std::runtime_error naming the node, the
// command, its exit status and output when one exits non-zero; SshError when SSH fails.
void run_provision(SshSession& session, const std::string& node_name,
                   const std::vector<std::string>& commands);

// Size of a file, 0 when it does not exist.
std::uintmax_t file_size_or_zero(const std::filesystem::path& path);

}  // namespace vmesh::launcher
