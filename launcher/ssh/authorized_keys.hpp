// The public keys root accepts on every node: the run's own key, the user's
// ~/.ssh/id_*.pub and files named with --authorized-keys.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vmesh::launcher {

// The key lines of one file (blank lines and # comments skipped). Throws
// std::runtime_error naming the file when it cannot be read, holds no key, or a line does
// not look like an OpenSSH public key ("ssh-ed25519 AAAA... comment"), naming the line.
std::vector<std::string> read_public_keys(const std::filesystem::path& file);

// authorized_keys text: the run key first, then each readable ~/.ssh/id_*.pub in
// `user_ssh_dir` (files that are not public keys are left out silently: they are the
// user's, not named by them), then every `named` file (errors thrown as above). Duplicate
// lines appear once.
std::string compose_authorized_keys(const std::filesystem::path& run_public_key,
                                    const std::optional<std::filesystem::path>& user_ssh_dir,
                                    const std::vector<std::filesystem::path>& named);

}  // namespace vmesh::launcher
