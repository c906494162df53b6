// Logging in to a booted node and preparing it: shared by the run that boots its nodes and
// by `vmesh node start` on a run started earlier.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "launcher/run/node_list.hpp"
#include "launcher/ssh/ssh_session.hpp"

namespace vmesh::launcher {

// The serial console says when sshd is up; connecting earlier only costs CPU. Only text past
// `console_offset` counts (the console keeps the lines of boots before a node_kill).
// Returns the session, or nullopt when the node is not ready yet or the login failed.
std::optional<SshSession> login_when_ready(const std::filesystem::path& console_log,
                                           std::uintmax_t console_offset, std::uint16_t ssh_port,
                                           const std::filesystem::path& key);

// How vmesh logs in to a recorded node: its key, else its firmware image's password.
SshLogin login_of(const NodeRecord& node);

// A firmware image prints nothing vmesh knows when it is up: SSH is tried (at most once a
// second per node: `next_try` is moved on). nullopt while the guest does not answer yet.
// Throws std::runtime_error naming the node, the login and what to change when the guest
// refuses the login (waiting would not help).
std::optional<SshSession> login_to_image(const NodeRecord& node,
                                         std::chrono::steady_clock::time_point& next_try);

// Runs a node's provision commands in order. Throws std::runtime_error naming the node, the
// command, its exit status and output when one exits non-zero; SshError when SSH fails.
void run_provision(SshSession& session, const std::string& node_name,
                   const std::vector<std::string>& commands);

// Runs a firmware image's setup commands in order, each through `sh -c`, appending the
// command and its output to `log`. Throws std::runtime_error naming the node, the command,
// its exit status and output when one exits non-zero.
void run_setup(SshSession& session, const std::string& node_name,
               const std::vector<std::string>& commands, const std::filesystem::path& log);

// Size of a file, 0 when it does not exist.
std::uintmax_t file_size_or_zero(const std::filesystem::path& path);

}  // namespace vmesh::launcher
