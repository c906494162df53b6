// The vhost-user back end against fake QEMU front ends on the real relay's sockets: frames
// from one guest's TX queue reach the RX queues of the guests that hear it, with the TX
// status hwsim waits for, and the sockets themselves (usage, mode, removal at exit).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "base/wire/tx_status.hpp"
#include "command_output.hpp"
#include "fake_front_end.hpp"
#include "relay/vhost/virtio_features.hpp"
#include "vhost_fixture.hpp"

namespace vmesh::test {
namespace {

using vhost::kHwsimQueueTx;

constexpr int kWaitMs = 2000;
constexpr int kSilenceMs = 300;
constexpr std::uint8_t kFrameCmd = static_cast<std::uint8_t>(wire::HwsimCmd::frame);
constexpr std::uint8_t kStatusCmd = static_cast<std::uint8_t>(wire::HwsimCmd::tx_info_frame);

Bytes bytes_of(std::span<const std::uint8_t> span) {
  return {span.begin(), span.end()};
}

// The one TX status among `messages`; fails the test unless there is exactly one.
// The message's spans point into `messages`, which must outlive it (hence no temporaries).
wire::HwsimMessage only_status(const std::vector<Bytes>&& messages) = delete;
wire::HwsimMessage only_status(const std::vector<Bytes>& messages) {
  EXPECT_EQ(messages.size(), 1u) << "one TX status, nothing else, for the sender";
  if (messages.empty()) return {};
  const wire::HwsimMessage m = wire::read_hwsim_message(messages[0]);
  EXPECT_EQ(m.genl_cmd, kStatusCmd);
  EXPECT_EQ(m.transmitter, kGuestRadio);
  return m;
}

// n2 announces its interface address (a broadcast frame from it), so the relay can find n2
// as the destination of unicast frames; n1 and n2 drain what that produced.
void announce_n2(FakeFrontEnd& n1, FakeFrontEnd& n2) {
  n2.transmit(guest_frame(data_frame(kBroadcast, interface_address(2), 0), 99));
  ASSERT_EQ(n1.receive(1, kWaitMs).size(), 1u);
  ASSERT_EQ(n2.receive(1, kWaitMs).size(), 1u);  // its own status
}

TEST(RelayVhost, BroadcastReachesTheNeighbourAndTheSenderGetsItsStatus) {
  VhostPair pair(kLine3);
  auto& [relay, n1, n2] = pair;

  const Bytes frame = data_frame(kBroadcast, interface_address(1), 7);
  const std::uint16_t head = n1.transmit(guest_frame(frame, 41));

  Bytes at_n2;
  ASSERT_NO_FATAL_FAILURE(expect_one_frame(n2, frame, kWaitMs, relay, &at_n2));
  const wire::HwsimMessage rx = wire::read_hwsim_message(at_n2);
  EXPECT_EQ(rx.genl_cmd, kFrameCmd);
  EXPECT_EQ(rx.receiver, kGuestRadio) << "delivered to the receiving guest's first radio";
  EXPECT_TRUE(rx.signal_dbm.has_value());
  EXPECT_EQ(rx.freq_mhz, 2412u);

  const std::vector<Bytes> at_n1 = n1.receive(2, kSilenceMs);
  const wire::HwsimMessage status = only_status(at_n1);
  EXPECT_EQ(status.cookie, 41u);
  ASSERT_TRUE(status.flags);
  EXPECT_NE(*status.flags & wire::kHwsimTxStatAck, 0u) << "a broadcast frame counts as sent";
  EXPECT_EQ(status.nlmsg_type, kGuestFamilyId) << "the guest's own family id";

  const std::vector<UsedEntry> used = n1.wait_used(kHwsimQueueTx, 1, kWaitMs);
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used[0].head, head);
  EXPECT_EQ(used[0].written_bytes, 0u) << "the device writes nothing into a TX buffer";
  EXPECT_TRUE(n2.receive(1, kSilenceMs).empty()) << "one copy per frame and radio";
}

TEST(RelayVhost, UnicastToALearnedAddressIsAcknowledgedByTheMedium) {
  VhostPair pair(kLine3);
  auto& [relay, n1, n2] = pair;
  ASSERT_NO_FATAL_FAILURE(announce_n2(n1, n2));

  const Bytes frame = data_frame(interface_address(2), interface_address(1), 1);
  n1.transmit(guest_frame(frame, 5));
  ASSERT_NO_FATAL_FAILURE(expect_one_frame(n2, frame, kWaitMs, relay));

  const std::vector<Bytes> at_n1 = n1.receive(1, kWaitMs);
  const wire::HwsimMessage status = only_status(at_n1);
  EXPECT_EQ(status.cookie, 5u);
  EXPECT_EQ(status.flags, wire::kHwsimTxCtlReqTxStatus | wire::kHwsimTxStatAck);
  EXPECT_EQ(bytes_of(status.tx_info), (Bytes{0, 1, 0xff, 0, 0xff, 0, 0xff, 0}))
      << "acknowledged at the first attempt";
}

TEST(RelayVhost, UnicastNobodyOwnsSpendsEveryAttemptUnacknowledged) {
  VhostPair pair(kLine3);
  auto& [relay, n1, n2] = pair;
  ASSERT_NO_FATAL_FAILURE(announce_n2(n1, n2));

  const wire::MacAddress stranger{{0x02, 0xbb, 0, 0, 0, 9}};
  n1.transmit(guest_frame(data_frame(stranger, interface_address(1), 1), 6));
  const std::vector<Bytes> at_n1 = n1.receive(1, kWaitMs);
  const wire::HwsimMessage status = only_status(at_n1);
  EXPECT_EQ(status.cookie, 6u);
  EXPECT_EQ(status.flags, wire::kHwsimTxCtlReqTxStatus) << "no ACK bit";
  EXPECT_EQ(bytes_of(status.tx_info), kGuestTxInfo) << "every planned attempt spent";
}

TEST(RelayVhost, UnicastOverADeadLinkIsNotAcknowledged) {
  VhostPair pair(std::string(kLine3) + "[[link]]\nfrom = \"n1\"\nto = \"n2\"\nloss = 1.0\n");
  auto& [relay, n1, n2] = pair;
  ASSERT_NO_FATAL_FAILURE(announce_n2(n1, n2));

  n1.transmit(guest_frame(data_frame(interface_address(2), interface_address(1), 1), 8));
  const std::vector<Bytes> at_n1 = n1.receive(1, kWaitMs);
  const wire::HwsimMessage status = only_status(at_n1);
  EXPECT_EQ(status.cookie, 8u);
  EXPECT_EQ(status.flags, wire::kHwsimTxCtlReqTxStatus);
  EXPECT_TRUE(n2.receive(1, kSilenceMs).empty());
}

TEST(RelayVhost, NodesWithoutALinkHearNothing) {
  VhostRelay relay(kLine3);  // n1 - n2 - n3
  FakeFrontEnd n1(relay.socket("n1"));
  FakeFrontEnd n2(relay.socket("n2"));
  FakeFrontEnd n3(relay.socket("n3"));
  n1.bring_up();
  n2.bring_up();
  n3.bring_up();

  n1.transmit(guest_frame(data_frame(kBroadcast, interface_address(1), 1), 1));
  EXPECT_EQ(n2.receive(1, kWaitMs).size(), 1u);
  n3.transmit(guest_frame(data_frame(kBroadcast, interface_address(3), 2), 2));
  EXPECT_EQ(n2.receive(1, kWaitMs).size(), 1u);

  EXPECT_TRUE(with_command(n1.receive(3, kSilenceMs), wire::HwsimCmd::frame).empty())
      << "n1 heard n3";
  EXPECT_TRUE(with_command(n3.receive(3, kSilenceMs), wire::HwsimCmd::frame).empty())
      << "n3 heard n1";
}

TEST(RelayVhost, GetVringBaseReturnsTheNextAvailableIndex) {
  VhostRelay relay(kLine3);
  FakeFrontEnd n1(relay.socket("n1"));
  n1.bring_up();
  for (std::uint32_t i = 0; i < 3; ++i)
    n1.transmit(guest_frame(data_frame(kBroadcast, interface_address(1), i), i));
  ASSERT_EQ(n1.wait_used(kHwsimQueueTx, 3, kWaitMs).size(), 3u);
  EXPECT_EQ(n1.stop_queue(kHwsimQueueTx), 3u);

  n1.transmit(guest_frame(data_frame(kBroadcast, interface_address(1), 4), 4));
  EXPECT_TRUE(n1.wait_used(kHwsimQueueTx, 1, kSilenceMs).empty()) << "a stopped queue moved";
  EXPECT_TRUE(relay.running());
}

TEST(RelayVhost, StoppedQueueResumesWhereItStopped) {
  VhostPair pair(kLine3);
  auto& [relay, n1, n2] = pair;
  n1.transmit(guest_frame(data_frame(kBroadcast, interface_address(1), 1), 1));
  ASSERT_EQ(n1.wait_used(kHwsimQueueTx, 1, kWaitMs).size(), 1u);
  ASSERT_EQ(n2.receive(1, kWaitMs).size(), 1u);
  const std::uint16_t base = n1.stop_queue(kHwsimQueueTx);
  ASSERT_EQ(base, 1u);

  // Made available while stopped: taken once the queue runs again, and only then.
  const Bytes frame = data_frame(kBroadcast, interface_address(1), 2);
  n1.transmit(guest_frame(frame, 2));
  n1.restart_queue(kHwsimQueueTx, base);
  // The relay reads the kick made while stopped before the queue is enabled; no new kick
  // comes, so the enable itself must make the relay look at the ring.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  n1.enable_queue(kHwsimQueueTx);
  EXPECT_EQ(n1.wait_used(kHwsimQueueTx, 1, kWaitMs).size(), 1u) << relay.process().log();
  ASSERT_NO_FATAL_FAILURE(expect_one_frame(n2, frame, kWaitMs, relay));
  EXPECT_TRUE(n2.receive(1, kSilenceMs).empty()) << "a frame taken twice";
  const std::vector<Bytes> statuses = n1.receive(2, kWaitMs);
  ASSERT_EQ(statuses.size(), 2u) << "a TX status missing";
  EXPECT_EQ(wire::read_hwsim_message(statuses[1]).cookie, 2u);
}

TEST(RelayVhost, QueuesKeepRunningAcrossANewMemoryTable) {
  VhostPair pair(kLine3);
  auto& [relay, n1, n2] = pair;
  n1.transmit(guest_frame(data_frame(kBroadcast, interface_address(1), 1), 1));
  ASSERT_EQ(n2.receive(1, kWaitMs).size(), 1u);
  ASSERT_EQ(n1.receive(1, kWaitMs).size(), 1u);

  n1.send_mem_table();
  n2.send_mem_table();
  const std::uint16_t head =
      n1.transmit(guest_frame(data_frame(kBroadcast, interface_address(1), 2), 2));
  const std::vector<UsedEntry> used = n1.wait_used(kHwsimQueueTx, 2, kWaitMs);
  ASSERT_EQ(used.size(), 2u) << "TX stopped after SET_MEM_TABLE\n" << relay.process().log();
  EXPECT_EQ(used[1].head, head);
  EXPECT_EQ(n2.receive(1, kWaitMs).size(), 1u) << "RX stopped after SET_MEM_TABLE";
  EXPECT_EQ(n1.receive(1, kWaitMs).size(), 1u) << "no TX status after SET_MEM_TABLE";
}

TEST(RelayVhost, DeliveriesWaitForRxBuffers) {
  VhostPair pair(kLine3);
  auto& [relay, n1, n2] = pair;
  // More frames than n2 has RX buffers: the rest waits in the relay until n2 posts again.
  constexpr std::uint32_t kFrames = FakeFrontEnd::kQueueSize + 16;
  for (std::uint32_t seq = 0; seq < kFrames; ++seq) {
    if (seq % 32 == 0 && seq > 0) {  // never reuse a TX buffer the relay has not returned
      ASSERT_EQ(n1.wait_used(kHwsimQueueTx, 32, kWaitMs).size(), 32u);
    }
    n1.transmit(guest_frame(data_frame(kBroadcast, interface_address(1), seq), seq));
  }
  const std::vector<Bytes> at_n2 = n2.receive(kFrames, 3 * kWaitMs);
  ASSERT_EQ(at_n2.size(), kFrames) << relay.process().log();
  for (std::uint32_t seq = 0; seq < kFrames; ++seq) {
    const Bytes frame = data_frame(kBroadcast, interface_address(1), seq);
    EXPECT_EQ(bytes_of(wire::read_hwsim_message(at_n2[seq]).frame), frame) << "in order";
  }
}

TEST(RelayVhost, OwnTxStatusesSurviveAFullRxBacklog) {
  VhostPair pair(kLine3, {"--queue-bytes", "20000"});
  auto& [relay, n1, n2] = pair;
  // n1 reads nothing while n2 sends far more than n1's RX ring and 20000 bytes of backlog
  // hold: deliveries beyond that are dropped for n1.
  constexpr std::uint32_t kFrames = 12 * 32;
  for (std::uint32_t seq = 0; seq < kFrames; ++seq) {
    if (seq % 32 == 0 && seq > 0) {  // never reuse a TX buffer the relay has not returned
      ASSERT_EQ(n2.wait_used(kHwsimQueueTx, 32, kWaitMs).size(), 32u);
    }
    n2.transmit(guest_frame(data_frame(kBroadcast, interface_address(2), seq), seq));
  }
  ASSERT_EQ(n2.wait_used(kHwsimQueueTx, 32, kWaitMs).size(), 32u);

  n1.transmit(guest_frame(data_frame(kBroadcast, interface_address(1), 1), 777));
  ASSERT_EQ(n1.wait_used(kHwsimQueueTx, 1, kWaitMs).size(), 1u);
  const std::vector<Bytes> at_n1 = n1.receive(kFrames + 1, kWaitMs);
  EXPECT_LT(with_command(at_n1, wire::HwsimCmd::frame).size(), kFrames)
      << "the backlog bound dropped deliveries";
  const std::vector<Bytes> statuses = with_command(at_n1, wire::HwsimCmd::tx_info_frame);
  ASSERT_EQ(statuses.size(), 1u) << "n1's own TX status still came\n" << relay.process().log();
  EXPECT_EQ(wire::read_hwsim_message(statuses[0]).cookie, 777u);
}

TEST(RelayVhost, NeedsATopology) {
  const std::string dir = make_temp_dir();
  const std::string sockets = dir + "/sockets";
  const std::string out =
      command_output(std::string(VMESH_RELAY_BIN) + " --ports-base 0 --no-vsock" +
                     " --vhost-user-dir '" + sockets + "' 2>&1; echo exit=$?");
  EXPECT_NE(out.find("--vhost-user-dir needs --topology"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=2"), std::string::npos) << out;
  struct stat st {};
  EXPECT_NE(::stat(sockets.c_str(), &st), 0) << "a usage error creates nothing";
  ::rmdir(dir.c_str());
}

TEST(RelayVhost, SocketsAreOwnerOnlyAndRemovedAtExit) {
  VhostRelay relay(kLine3);
  for (const char* node : {"n1", "n2", "n3"}) {
    struct stat st {};
    ASSERT_EQ(::stat(relay.socket(node).c_str(), &st), 0) << node;
    EXPECT_TRUE(S_ISSOCK(st.st_mode)) << node;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << node;
  }
  struct stat dir {};
  ASSERT_EQ(::stat(relay.socket_dir().c_str(), &dir), 0);
  EXPECT_EQ(dir.st_mode & 0777, 0700u);

  EXPECT_EQ(relay.process().stop(), 0);
  for (const char* node : {"n1", "n2", "n3"}) {
    struct stat st {};
    EXPECT_NE(::stat(relay.socket(node).c_str(), &st), 0) << node << " left behind";
    EXPECT_EQ(errno, ENOENT);
  }
}

}  // namespace
}  // namespace vmesh::test
