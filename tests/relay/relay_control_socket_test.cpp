// The control surfaces of the real relay: vwifi-ctrl orders on the TCP control port, vmesh's
// text commands only on the owner-only Unix socket (--control-socket).
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <regex>

#include "relay_process.hpp"
#include "test_peer.hpp"
#include "topology_fixture.hpp"

namespace vmesh::test {
namespace {

const std::string kRefused =
    "error: text commands are served only on the relay's owner-only control socket "
    "(--control-socket PATH); this port takes vwifi-ctrl orders\n";

std::string tcp_text(const RelayProcess& relay, const std::string& line) {
  const auto reply = control_exchange(relay.control_port, Bytes(line.begin(), line.end()));
  return std::string(reply.begin(), reply.end());
}

long delivered(const std::string& stats_json, const std::string& from, const std::string& to) {
  const std::regex re("\\{\"from\":\"" + from + "\",\"to\":\"" + to +
                      "\"[^\\]]*?\"delivered\":([0-9]+)");
  std::smatch m;
  return std::regex_search(stats_json, m, re) ? std::stol(m[1]) : -1;
}

TEST(RelayControlSocket, TcpPortRefusesTextCommandsAndChangesNothing) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  auto peers = join_nodes(relay, 3);
  EXPECT_EQ(tcp_text(relay, "link set n1 n2 loss=1\n"), kRefused);
  TopologyFile full(std::string(kLine3) + "[[link]]\nnodes = [\"n1\", \"n3\"]\n");
  EXPECT_EQ(tcp_text(relay, "reload " + full.path() + "\n"), kRefused);
  EXPECT_EQ(tcp_text(relay, "reload /etc/shadow\n"), kRefused);
  EXPECT_EQ(tcp_text(relay, "stats\n"), kRefused);

  const long before = delivered(command_exchange(relay.control_socket(), "stats\n"), "n1", "n2");
  for (std::uint32_t seq = 1; seq <= 10; ++seq)
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
  int at_n2 = 0;
  while (peers[1].receive(300)) ++at_n2;
  EXPECT_EQ(at_n2, 10) << "the link changed through the TCP port";
  EXPECT_FALSE(peers[2].receive(100)) << "the reload through the TCP port was applied";
  const std::string after = command_exchange(relay.control_socket(), "stats\n");
  EXPECT_EQ(delivered(after, "n1", "n2"), before + 10) << after;
  EXPECT_EQ(relay.log().find("control: link set"), std::string::npos) << relay.log();
  EXPECT_EQ(relay.log().find("control: reload"), std::string::npos) << relay.log();
}

TEST(RelayControlSocket, VwifiOrdersStayOnTheTcpPort) {
  RelayProcess relay;
  TestPeer a(relay.tcp_port, "127.0.0.11");
  relay.wait_for_peers(1);  // answered LIST orders over TCP
  EXPECT_EQ(command_exchange(relay.control_socket(), "stats\n"),
            "error: no topology loaded (start vmesh-relay with --topology FILE)\n");
}

TEST(RelayControlSocket, SocketFileIsOwnerOnlyAndLinkSetWorks) {
  TopologyFile topo(kLine3);
  RelayProcess relay({"--topology", topo.path()});
  struct stat st {};
  ASSERT_EQ(::lstat(relay.control_socket().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  auto peers = join_nodes(relay, 3);
  EXPECT_EQ(command_exchange(relay.control_socket(), "link set n1 n2 loss=1\n"), "ok\n");
  for (std::uint32_t seq = 1; seq <= 5; ++seq)
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
  EXPECT_FALSE(peers[1].receive(300)) << "loss=1 let a frame through";
  EXPECT_NE(relay.log().find("control: link set n1 n2: applied"), std::string::npos);
}

TEST(RelayControlSocket, StaleSocketIsReplacedAndRemovedAtExit) {
  char templ[] = "/tmp/vmesh-ctl-test-XXXXXX";
  ASSERT_NE(::mkdtemp(templ), nullptr);
  const std::string path = std::string(templ) + "/stale.sock";
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
    ::close(fd);  // the file stays: a relay that died without cleaning up
  }
  {
    RelayProcess relay({"--control-socket", path});
    EXPECT_EQ(command_exchange(path, "stats\n"),
              "error: no topology loaded (start vmesh-relay with --topology FILE)\n");
    EXPECT_EQ(relay.stop(), 0);
    struct stat st {};
    EXPECT_NE(::lstat(path.c_str(), &st), 0) << "socket file left behind at exit";
  }
  ::rmdir(templ);
}

TEST(RelayControlSocket, AnotherKindOfFileAtThePathIsLeftAlone) {
  char templ[] = "/tmp/vmesh-ctl-test-XXXXXX";
  ASSERT_NE(::mkdtemp(templ), nullptr);
  const std::string path = std::string(templ) + "/notes.txt";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("keep me\n", f);
  std::fclose(f);
  EXPECT_THROW(RelayProcess({"--control-socket", path}), std::runtime_error);
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 8);
  ::unlink(path.c_str());
  ::rmdir(templ);
}

TEST(RelayControlSocket, OtherUsersCannotConnect) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop to another user (uid 65534)";
  RelayProcess relay;
  // Let the other user reach the directory, so only the socket's own mode stands in the way.
  ASSERT_EQ(::chmod(relay.dir().c_str(), 0755), 0);
  const std::string path = relay.control_socket();
  // Exit status of a child that drops to uid/gid 65534 and connects: 0 on EACCES, 1 when
  // connected, 2 when it could not drop privileges, 3 on another error.
  const auto connect_as_nobody = [&path]() {
    const pid_t child = ::fork();
    if (child == 0) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(2);
      const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
      const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
      _exit(rc == 0 ? 1 : errno == EACCES ? 0 : 3);
    }
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
  };
  EXPECT_EQ(connect_as_nobody(), 0) << "1: connected as uid 65534; 2: could not drop "
                                       "privileges; 3: failed otherwise than EACCES";
  // The check itself: with the socket opened up, the same child gets in.
  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
  EXPECT_EQ(connect_as_nobody(), 1) << "the test's child cannot connect even to an open socket";
}

}  // namespace
}  // namespace vmesh::test
