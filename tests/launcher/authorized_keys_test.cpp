// The keys root accepts: the run key, the user's ~/.ssh/id_*.pub, --authorized-keys files.
#include "launcher/ssh/authorized_keys.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace vmesh::launcher {
namespace {

const std::string kRunKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBqvRunKeyRunKeyRunKeyRunKeyRunKey vmesh-run";
const std::string kUserKey =
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQUserKeyUserKeyUserKeyUserKey alice@laptop";
const std::string kNamedKey =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAINamedKeyNamed ci";

class AuthorizedKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmesh-keys-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_ / "ssh");
    write("run.pub", kRunKey + "\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  std::filesystem::path dir_;
};

TEST_F(AuthorizedKeys, RunKeyThenUserKeysThenNamedOnceEach) {
  write("ssh/id_rsa.pub", kUserKey + "\n");
  write("ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n");  // never read
  write("ssh/id_broken.pub", "not a key\n");                     // the user's, skipped
  const auto named = write("ci.pub", "# CI key\n\n" + kNamedKey + "\n" + kUserKey + "\n");
  const auto text = compose_authorized_keys(dir_ / "run.pub", dir_ / "ssh", {named});
  EXPECT_EQ(text, kRunKey + "\n" + kUserKey + "\n" + kNamedKey + "\n");
}

TEST_F(AuthorizedKeys, NoUserSshDirIsFine) {
  EXPECT_EQ(compose_authorized_keys(dir_ / "run.pub", dir_ / "none", {}), kRunKey + "\n");
  EXPECT_EQ(compose_authorized_keys(dir_ / "run.pub", std::nullopt, {}), kRunKey + "\n");
}

TEST_F(AuthorizedKeys, NamedFileErrorsSayWhatToFix) {
  const auto expect_error = [&](const std::filesystem::path& file, const std::string& part) {
    try {
      compose_authorized_keys(dir_ / "run.pub", std::nullopt, {file});
      FAIL() << "no error for " << file;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error(dir_ / "missing.pub", "missing.pub: cannot read the file");
  expect_error(write("private", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n"),
               "private:1: not an OpenSSH public key line");
  expect_error(write("empty.pub", "# nothing\n"), "empty.pub: holds no public key");
  expect_error(write("second.pub", kNamedKey + "\nssh-ed25519 short\n"), "second.pub:2:");
}

}  // namespace
}  // namespace vmesh::launcher
