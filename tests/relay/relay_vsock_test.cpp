// VSOCK clients: identity is the guest CID. Needs a vsock transport that reaches the relay
// from this host (vsock_loopback, CID 1); skipped with the reason otherwise.
#include <gtest/gtest.h>
#include <linux/vm_sockets.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "relay_process.hpp"
#include "test_peer.hpp"

namespace vmesh::test {
namespace {

TEST(RelayVsock, LocalVsockClientIsIdentifiedByCid) {
  const int fd = ::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) GTEST_SKIP() << "no AF_VSOCK in this kernel: " << std::strerror(errno);
  RelayProcess relay({}, 0, true);
  if (relay.vsock_port == 0) {
    ::close(fd);
    GTEST_SKIP() << "the relay found no VSOCK transport: " << relay.log();
  }
  timeval timeout{0, 300'000};
  ::setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT_OLD, &timeout, sizeof(timeout));
  sockaddr_vm addr{};
  addr.svm_family = AF_VSOCK;
  addr.svm_cid = VMADDR_CID_LOCAL;
  addr.svm_port = relay.vsock_port;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    const int err = errno;
    ::close(fd);
    GTEST_SKIP() << "no local VSOCK transport (connect to CID 1: " << std::strerror(err)
                 << "); VSOCK needs vhost-vsock guests or vsock_loopback";
  }
  TestPeer tcp(relay.tcp_port, "127.0.0.10");
  relay.wait_for_peers(2);
  const auto frame = make_frame(1, 10, std::vector<std::uint8_t>(24, 1));
  ASSERT_EQ(::send(fd, frame.data(), frame.size(), 0), static_cast<ssize_t>(frame.size()));
  EXPECT_TRUE(tcp.receive(2000)) << "frame from the VSOCK client was not relayed";
  EXPECT_NE(relay.log().find("connect client id=1 from vsock:1"), std::string::npos) << relay.log();
  ::close(fd);
}

}  // namespace
}  // namespace vmesh::test
