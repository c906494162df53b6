#include "launcher/ssh/authorized_keys.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace vmesh::launcher {
namespace {

bool looks_like_public_key(const std::string& line) {
  // "TYPE BASE64 [comment]", TYPE as OpenSSH writes it (options before TYPE are not taken).
  const auto space = line.find(' ');
  if (space == std::string::npos) return false;
  const std::string type = line.substr(0, space);
  const bool known_type = type.starts_with("ssh-") || type.starts_with("ecdsa-") ||
                          type.starts_with("sk-ssh-") || type.starts_with("sk-ecdsa-");
  const auto blob_end = line.find(' ', space + 1);
  const std::string blob = line.substr(
      space + 1, blob_end == std::string::npos ? std::string::npos : blob_end - space - 1);
  return known_type && blob.starts_with("AAAA") && blob.size() >= 32;
}

}  // namespace

std::vector<std::string> read_public_keys(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read the file", file.string()));
  std::vector<std::string> keys;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    if (!looks_like_public_key(line)) {
      throw std::runtime_error(fmt::format(
          "{}:{}: not an OpenSSH public key line (expected e.g. 'ssh-ed25519 AAAA... comment'; "
          "a private key file?)",
          file.string(), number));
    }
    keys.push_back(line);
  }
  if (keys.empty()) throw std::runtime_error(fmt::format("{}: holds no public key", file.string()));
  return keys;
}

std::string compose_authorized_keys(const std::filesystem::path& run_public_key,
                                    const std::optional<std::filesystem::path>& user_ssh_dir,
                                    const std::vector<std::filesystem::path>& named) {
  std::vector<std::string> lines = read_public_keys(run_public_key);
  const auto add = [&lines](const std::vector<std::string>& keys) {
    for (const auto& key : keys) {
      if (std::find(lines.begin(), lines.end(), key) == lines.end()) lines.push_back(key);
    }
  };
  std::error_code error;
  if (user_ssh_dir && std::filesystem::is_directory(*user_ssh_dir, error)) {
    std::vector<std::filesystem::path> own;
    for (const auto& entry : std::filesystem::directory_iterator(*user_ssh_dir, error)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("id_") && name.ends_with(".pub")) own.push_back(entry.path());
    }
    std::sort(own.begin(), own.end());
    for (const auto& file : own) {
      try {
        add(read_public_keys(file));
      } catch (const std::runtime_error&) {
        // Not named by the user: a file that is no key is skipped, not an error.
      }
    }
  }
  for (const auto& file : named) add(read_public_keys(file));
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace vmesh::launcher
