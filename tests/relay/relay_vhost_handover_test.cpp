// A relay restart QEMU never sees: fake front ends on the real relay's vhost-user sockets,
// `vhost handover PATH` on the old relay's control socket, a second relay process started
// with --vhost-take-over PATH. The guests keep their connections, rings and eventfds; what
// they send while no relay serves them is lost. A bad handover leaves the new relay serving
// without the front ends, never crashing.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>

#include "fake_front_end.hpp"
#include "relay/vhost/handover_record.hpp"
#include "relay/vhost/virtio_features.hpp"
#include "test_peer.hpp"
#include "vhost_fixture.hpp"

namespace vmesh::test {
namespace {

using vhost::kHwsimQueueRx;
using vhost::kHwsimQueueTx;

constexpr int kWaitMs = 2000;
constexpr int kSilenceMs = 300;

Bytes bytes_of(std::span<const std::uint8_t> span) {
  return {span.begin(), span.end()};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// A client of a handover socket, as a taker would connect; -1 when it cannot.
int connect_seqpacket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) return fd;
  ::close(fd);
  return -1;
}

// The frames (not TX statuses) among `messages`, as 802.11 bytes.
std::vector<Bytes> frames_in(const std::vector<Bytes>& messages) {
  std::vector<Bytes> frames;
  for (const Bytes& m : with_command(messages, wire::HwsimCmd::frame))
    frames.push_back(bytes_of(wire::read_hwsim_message(m).frame));
  return frames;
}

// The cookies of the TX statuses among `messages`.
std::vector<std::uint64_t> status_cookies(const std::vector<Bytes>& messages) {
  std::vector<std::uint64_t> cookies;
  for (const Bytes& m : with_command(messages, wire::HwsimCmd::tx_info_frame))
    cookies.push_back(wire::read_hwsim_message(m).cookie.value_or(0));
  return cookies;
}

// `from` sends a broadcast frame; `to` must receive exactly it and `from` its TX status.
void exchange(FakeFrontEnd& from, std::uint8_t from_node, FakeFrontEnd& to, std::uint32_t seq,
              const RelayProcess& relay) {
  const Bytes frame = data_frame(kBroadcast, interface_address(from_node), seq);
  from.transmit(guest_frame(frame, seq));
  EXPECT_EQ(frames_in(to.receive(1, kWaitMs)), std::vector<Bytes>{frame}) << "seq " << seq << "\n"
                                                                          << relay.log();
  EXPECT_EQ(status_cookies(from.receive(1, kWaitMs)), std::vector<std::uint64_t>{seq})
      << "seq " << seq;
}

class RelayVhostHandover : public ::testing::Test {
 protected:
  std::string handover_path() const { return relay_.dir() + "/handover.sock"; }
  std::string hand_over(const std::string& args = "") {
    return command_exchange(relay_.process().control_socket(),
                            "vhost handover " + handover_path() + args + "\n");
  }
  std::unique_ptr<RelayProcess> take_over(const std::string& path) {
    return relay_.start_another({"--vhost-take-over", path});
  }

  VhostRelay relay_{kLine3};  // n1 - n2 - n3
};

TEST_F(RelayVhostHandover, GuestsKeepTheirConnectionsAndRingsAcrossARestart) {
  FakeFrontEnd n1(relay_.socket("n1"));
  FakeFrontEnd n2(relay_.socket("n2"));
  n1.use_event_idx();  // one guest as Linux drives EVENT_IDX, one without it
  n1.bring_up();
  n2.bring_up();
  exchange(n1, 1, n2, 1, relay_.process());
  exchange(n2, 2, n1, 2, relay_.process());

  const std::string reply = hand_over();
  EXPECT_TRUE(contains(reply,
                       "ok handing over 2 vhost-user front ends (n1, n2) and 3 node "
                       "sockets at " +
                           handover_path()))
      << reply << relay_.process().log();
  struct stat st {};
  ASSERT_EQ(::stat(handover_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "only the run's owner may take over";

  // The medium is down: this frame is lost, and its buffer comes back after the restart.
  const Bytes lost = data_frame(kBroadcast, interface_address(1), 3);
  n1.transmit(guest_frame(lost, 3));
  EXPECT_TRUE(n2.receive(1, kSilenceMs).empty()) << "delivered while the medium was down";
  // Nothing of the old relay reads the guest's kicks any more: a read left armed would
  // take kicks meant for the new relay. (Taking it here costs nothing: the new relay looks
  // at the ring at once.)
  EXPECT_EQ(n1.take_unread_kicks(kHwsimQueueTx), 1u) << "the old relay took the kick";

  std::unique_ptr<RelayProcess> next = take_over(handover_path());
  EXPECT_EQ(relay_.process().wait_exit(kWaitMs), 0) << relay_.process().log();
  EXPECT_TRUE(contains(relay_.process().log(),
                       "handed 2 vhost-user front ends (n1, n2) and 3 node sockets to pid"))
      << relay_.process().log();
  EXPECT_FALSE(exists(handover_path())) << "a second taker could connect";
  EXPECT_TRUE(contains(next->log(),
                       "n1.sock: served on at TX index 1, RX index 2, 1 radios; 1 "
                       "frames it sent while the medium was down lost"))
      << next->log();

  // The lost frame's buffer is used (not routed) and nothing reaches n2 but what follows.
  EXPECT_EQ(n1.wait_used(kHwsimQueueTx, 2, kWaitMs).size(), 2u) << next->log();
  exchange(n1, 1, n2, 4, *next);
  exchange(n2, 2, n1, 5, *next);
  EXPECT_TRUE(frames_in(n2.receive(1, kSilenceMs)).empty()) << "the lost frame came late";

  // The rings went on where the old relay stopped: 1 before, 1 lost, 1 after.
  EXPECT_EQ(n1.stop_queue(kHwsimQueueTx), 3u);
  EXPECT_EQ(n2.stop_queue(kHwsimQueueTx), 2u);
  EXPECT_FALSE(n1.wait_closed(0)) << "a front end lost its connection";
}

TEST_F(RelayVhostHandover, NodeSocketsKeepAcceptingDuringAndAfterTheHandover) {
  FakeFrontEnd n1(relay_.socket("n1"));
  FakeFrontEnd n2(relay_.socket("n2"));
  n1.bring_up();
  n2.bring_up();
  ASSERT_TRUE(contains(hand_over(), "ok handing over")) << relay_.process().log();

  // A VM that starts while the relays change hands: it waits, then the new relay serves it.
  FakeFrontEnd n3(relay_.socket("n3"));
  std::unique_ptr<RelayProcess> next = take_over(handover_path());
  ASSERT_EQ(relay_.process().wait_exit(kWaitMs), 0) << relay_.process().log();
  n3.bring_up();
  exchange(n2, 2, n3, 1, *next);
  EXPECT_EQ(frames_in(n1.receive(1, kWaitMs)).size(), 1u) << "n1 hears n2 too";

  // A VM restarted later connects anew and takes its node over.
  FakeFrontEnd n1_again(relay_.socket("n1"));
  n1_again.bring_up();
  EXPECT_TRUE(n1.wait_closed(kWaitMs)) << "the old front end of n1 stayed";
  exchange(n1_again, 1, n2, 2, *next);

  EXPECT_EQ(next->stop(), 0);
  EXPECT_FALSE(exists(relay_.socket("n1"))) << "the new relay did not remove its node sockets";
}

TEST_F(RelayVhostHandover, WithoutATakerTheOldRelayGivesUpAndExits) {
  FakeFrontEnd n1(relay_.socket("n1"));
  n1.bring_up();
  ASSERT_TRUE(contains(hand_over(" wait=500ms"), "(waiting up to 500ms)"))
      << relay_.process().log();
  EXPECT_EQ(relay_.process().wait_exit(3 * kWaitMs), 1) << relay_.process().log();
  EXPECT_TRUE(contains(relay_.process().log(),
                       "no new relay took over at " + handover_path() + " within 500ms"))
      << relay_.process().log();
  EXPECT_TRUE(n1.wait_closed(kWaitMs));
  EXPECT_FALSE(exists(handover_path()));
}

TEST_F(RelayVhostHandover, ATakerThatLeavesHalfwayIsNotCountedAndAnotherMayTakeOver) {
  FakeFrontEnd n1(relay_.socket("n1"));
  FakeFrontEnd n2(relay_.socket("n2"));
  n1.bring_up();
  n2.bring_up();
  ASSERT_TRUE(contains(hand_over(), "ok handing over")) << relay_.process().log();
  {
    // Reads the hello and goes: no ack.
    const int fd = connect_seqpacket(handover_path());
    ASSERT_GE(fd, 0);
    std::uint8_t hello[64];
    EXPECT_GT(::recv(fd, hello, sizeof(hello), 0), 0);
    ::close(fd);
  }
  std::unique_ptr<RelayProcess> next = take_over(handover_path());
  EXPECT_EQ(relay_.process().wait_exit(kWaitMs), 0) << relay_.process().log();
  // Where it left (while the records went out, or before its ack) is a matter of timing.
  const std::string log = relay_.process().log();
  EXPECT_TRUE(contains(log, "did not take over: ") && contains(log, "; waiting for another"))
      << log;
  exchange(n1, 1, n2, 1, *next);
}

TEST_F(RelayVhostHandover, OnlyTheOwnersUidMayTakeOver) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a taker as another user";
  FakeFrontEnd n1(relay_.socket("n1"));
  n1.bring_up();
  ASSERT_TRUE(contains(hand_over(), "ok handing over")) << relay_.process().log();
  // Opened up on purpose, so that only the relay's own check stands in the way.
  ASSERT_EQ(::chmod(relay_.dir().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(handover_path().c_str(), 0666), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    const int fd = connect_seqpacket(handover_path());
    if (fd < 0) ::_exit(3);
    std::uint8_t record[64];
    // The relay closes the connection without a word.
    ::_exit(::recv(fd, record, sizeof(record), 0) == 0 ? 0 : 4);
  }
  int status = -1;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(contains(relay_.process().log(), "of uid 65534 (only uid 0 may take over)"))
      << relay_.process().log();
  std::unique_ptr<RelayProcess> next = take_over(handover_path());
  EXPECT_EQ(relay_.process().wait_exit(kWaitMs), 0) << relay_.process().log();
}

TEST_F(RelayVhostHandover, RefusedWhereItCannotWork) {
  EXPECT_TRUE(contains(
      command_exchange(relay_.process().control_socket(), "vhost handover run/handover.sock\n"),
      "error: vhost handover: run/handover.sock must be absolute"));
  EXPECT_TRUE(contains(hand_over(" wait=2h"), "error: vhost handover: expected wait=D"));
  EXPECT_TRUE(contains(command_exchange(relay_.process().control_socket(),
                                        "vhost handover /proc/no/such/dir.sock\n"),
                       "error: vhost handover: bind /proc/no/such/dir.sock"));
  EXPECT_TRUE(relay_.running()) << "a refused handover stopped the relay";

  TopologyFile topology(kLine3);
  RelayProcess plain({"--topology", topology.path()});
  EXPECT_TRUE(contains(command_exchange(plain.control_socket(), "vhost handover /tmp/x.sock\n"),
                       "error: vhost handover: this relay serves no vhost-user front ends"));
}

// A fake old relay on a handover socket: serves one taker with `serve(fd)`.
class FakeGiver {
 public:
  FakeGiver(const std::string& path, std::function<void(int)> serve) : path_(path) {
    listener_ = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    if (::bind(listener_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listener_, 1) != 0)
      throw std::runtime_error("fake giver cannot listen at " + path);
    thread_ = std::thread([this, serve = std::move(serve)] {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        serve(fd);
        ::close(fd);
      }
    });
  }
  ~FakeGiver() {
    thread_.join();
    ::close(listener_);
    ::unlink(path_.c_str());
  }

 private:
  std::string path_;
  int listener_ = -1;
  std::thread thread_;
};

void send_record(int fd, const vhost::HandoverRecord& record) {
  const vhost::EncodedHandover encoded = vhost::encode_handover(record);
  ASSERT_TRUE(encoded.fds.empty()) << "records with fds are not faked here";
  ASSERT_EQ(::send(fd, encoded.bytes.data(), encoded.bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(encoded.bytes.size()));
}

// The new relay logged `failure` and serves the topology's nodes on fresh sockets.
void expect_serving_without_a_handover(const VhostRelay& relay, RelayProcess& next,
                                       const std::string& failure) {
  EXPECT_TRUE(contains(next.log(), failure)) << next.log();
  EXPECT_TRUE(contains(next.log(), "starting without the front ends handed over")) << next.log();
  FakeFrontEnd n1(relay.socket("n1"));
  FakeFrontEnd n2(relay.socket("n2"));
  n1.bring_up();
  n2.bring_up();
  exchange(n1, 1, n2, 1, next);
}

TEST_F(RelayVhostHandover, GarbageOnTheHandoverSocketLeavesTheNewRelayServing) {
  ASSERT_EQ(relay_.process().stop(), 0);  // the sockets' directory stays, the relay goes
  const std::string path = relay_.dir() + "/fake.sock";
  std::unique_ptr<RelayProcess> next;
  {
    FakeGiver giver(path, [](int fd) {
      const std::string garbage = "GET / HTTP/1.1\r\n\r\n";
      ::send(fd, garbage.data(), garbage.size(), MSG_NOSIGNAL);
      std::uint8_t ack[64];
      ::recv(fd, ack, sizeof(ack), 0);  // until the taker hangs up
    });
    next = take_over(path);
  }
  expect_serving_without_a_handover(relay_, *next,
                                    "vhost take-over from " + path +
                                        " failed: record 1 (hello): not a handover "
                                        "record (bad magic)");
}

TEST_F(RelayVhostHandover, AHandoverCutShortLeavesTheNewRelayServing) {
  ASSERT_EQ(relay_.process().stop(), 0);
  const std::string path = relay_.dir() + "/fake.sock";
  std::unique_ptr<RelayProcess> next;
  {
    // Announces two front ends and ends before the first.
    FakeGiver giver(path, [](int fd) { send_record(fd, vhost::HandoverHello{4242, 0, 2}); });
    next = take_over(path);
  }
  expect_serving_without_a_handover(relay_, *next,
                                    "record 2 of 4 announced by pid 4242: the other side closed "
                                    "the handover socket");
}

TEST_F(RelayVhostHandover, NoHandoverSocketLeavesTheNewRelayServing) {
  ASSERT_EQ(relay_.process().stop(), 0);
  const std::string path = relay_.dir() + "/nobody.sock";
  std::unique_ptr<RelayProcess> next = take_over(path);
  expect_serving_without_a_handover(relay_, *next, "cannot connect to " + path);
}

}  // namespace
}  // namespace vmesh::test
