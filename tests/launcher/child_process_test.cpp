// ChildProcess: exit codes, exec failures, stop by PID, and death with the parent.
#include "launcher/process/child_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "launcher/run/node_list.hpp"
#include "launcher/run/run_state.hpp"

namespace vmesh::launcher {
namespace {

using std::chrono::milliseconds;

bool gone(pid_t pid) {
  return !process_start_ticks(pid);
}

TEST(ChildProcess, ExitCodeAndOutputRedirection) {
  const auto out =
      std::filesystem::temp_directory_path() / ("vmesh-child-" + std::to_string(getpid()));
  auto child = ChildProcess::spawn({.argv = {"sh", "-c", "echo hello; exit 3"}, .stdout_to = out});
  EXPECT_EQ(child.wait_for(milliseconds(5000)), 3);
  EXPECT_EQ(read_text_file(out), "hello\n");
  std::filesystem::remove(out);
}

TEST(ChildProcess, ExecFailureThrowsNamingTheProgram) {
  try {
    ChildProcess::spawn({.argv = {"/nonexistent/vmesh-no-such-program"}});
    FAIL() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("vmesh-no-such-program"), std::string::npos);
  }
}

TEST(ChildProcess, StopKillsAndReaps) {
  auto child = ChildProcess::spawn({.argv = {"sleep", "30"}});
  const pid_t pid = child.pid();
  ASSERT_FALSE(gone(pid));
  EXPECT_EQ(child.stop(milliseconds(2000)), 128 + SIGTERM);
  EXPECT_TRUE(gone(pid));
}

TEST(ChildProcess, StopEscalatesToSigkill) {
  auto child =
      ChildProcess::spawn({.argv = {"sh", "-c", "trap '' TERM; sleep 30 & wait; sleep 30"}});
  std::this_thread::sleep_for(milliseconds(200));  // let the shell install its trap
  EXPECT_EQ(child.stop(milliseconds(300)), 128 + SIGKILL);
}

TEST(ChildProcess, StopTakesTheWholeProcessGroup) {
  // A helper script's own children (build-image.sh runs apt-get, cpio, ...) go too.
  const auto pid_file =
      std::filesystem::temp_directory_path() / ("vmesh-group-" + std::to_string(getpid()));
  auto child = ChildProcess::spawn(
      {.argv = {"sh", "-c", "sleep 30 & echo $! > " + pid_file.string() + "; wait"}});
  for (int i = 0; i < 200 && read_text_file(pid_file).empty(); ++i)
    std::this_thread::sleep_for(milliseconds(10));
  const pid_t grandchild = std::stoi(read_text_file(pid_file));
  ASSERT_FALSE(gone(grandchild));
  child.stop(milliseconds(2000));
  for (int i = 0; i < 100 && !gone(grandchild); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(gone(grandchild)) << "sleep " << grandchild << " outlived the stopped group";
  std::filesystem::remove(pid_file);
}

TEST(ChildProcess, DestructorStopsTheProcess) {
  pid_t pid = -1;
  {
    auto child = ChildProcess::spawn({.argv = {"sleep", "30"}});
    pid = child.pid();
    auto moved = std::move(child);  // ownership moves; only one stop
    EXPECT_EQ(moved.pid(), pid);
    EXPECT_EQ(child.pid(), -1);
  }
  EXPECT_TRUE(gone(pid));
}

TEST(ChildProcess, DiesWithItsParent) {
  // An intermediate process spawns `sleep` and reports its PID, then exits without cleanup
  // (_exit, as in a crash): PR_SET_PDEATHSIG must take the sleep down.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t middle = fork();
  ASSERT_GE(middle, 0);
  if (middle == 0) {
    close(fds[0]);
    auto child = ChildProcess::spawn({.argv = {"sleep", "30"}});
    const pid_t pid = child.pid();
    child.release();
    ssize_t ignored = write(fds[1], &pid, sizeof pid);
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  pid_t grandchild = -1;
  ASSERT_EQ(read(fds[0], &grandchild, sizeof grandchild), static_cast<ssize_t>(sizeof grandchild));
  close(fds[0]);
  int status = 0;
  waitpid(middle, &status, 0);
  for (int i = 0; i < 200 && !gone(grandchild); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(gone(grandchild)) << "sleep " << grandchild << " outlived its parent";
}

TEST(ChildProcess, OwnSessionAndExtraEnvironment) {
  const auto out =
      std::filesystem::temp_directory_path() / ("vmesh-child-env-" + std::to_string(getpid()));
  auto child =
      ChildProcess::spawn({.argv = {"sh", "-c", "echo $VMESH_TEST_VALUE; ps -o sid= -p $$"},
                           .stdout_to = out,
                           .env = {"VMESH_TEST_VALUE=42"}});
  const pid_t pid = child.pid();
  EXPECT_EQ(child.wait_for(milliseconds(5000)), 0);
  const auto text = read_text_file(out);
  EXPECT_EQ(text.substr(0, 3), "42\n");
  EXPECT_EQ(std::stoi(text.substr(3)), pid);  // session leader: setsid() ran
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace vmesh::launcher
