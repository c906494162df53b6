// VIRTIO_RING_F_EVENT_IDX between the relay and fake front ends that behave as the Linux
// driver does with it: frames still flow both ways, the guest no longer kicks for every RX
// buffer it posts again, and a guest that ran out of RX buffers is served as soon as it
// posts more (the relay asked for that kick when it found the queue empty).
#include <gtest/gtest.h>

#include <vector>

#include "fake_front_end.hpp"
#include "relay/vhost/virtio_features.hpp"
#include "vhost_fixture.hpp"

namespace vmesh::test {
namespace {

using vhost::kHwsimQueueRx;
using vhost::kHwsimQueueTx;

constexpr int kWaitMs = 2000;

Bytes frame_number(std::uint32_t seq) {
  return data_frame(kBroadcast, interface_address(1), seq);
}

Bytes frame_of(const Bytes& message) {
  const wire::HwsimMessage m = wire::read_hwsim_message(message);
  return {m.frame.begin(), m.frame.end()};
}

// n1 and n2 of line3, both with EVENT_IDX negotiated and their queues running.
class RelayVhostEventIdx : public ::testing::Test {
 protected:
  RelayVhostEventIdx() {
    n1.use_event_idx();
    n2.use_event_idx();
    n1.bring_up();
    n2.bring_up();
  }

  VhostRelay relay{kLine3};
  FakeFrontEnd n1{relay.socket("n1")};
  FakeFrontEnd n2{relay.socket("n2")};
};

TEST_F(RelayVhostEventIdx, FramesFlowWithoutAKickPerPostedRxBuffer) {
  const std::uint32_t rx_kicks_at_start = n2.kicks(kHwsimQueueRx);

  constexpr std::uint32_t kFrames = 3 * FakeFrontEnd::kQueueSize;  // the rings wrap
  for (std::uint32_t seq = 0; seq < kFrames; ++seq) {
    n1.transmit(guest_frame(frame_number(seq), seq));
    ASSERT_NO_FATAL_FAILURE(expect_one_frame(n2, frame_number(seq), kWaitMs, relay))
        << "frame " << seq;
    ASSERT_EQ(n1.receive(1, kWaitMs).size(), 1u) << "the TX status of frame " << seq;
  }
  EXPECT_EQ(n2.kicks(kHwsimQueueRx), rx_kicks_at_start)
      << "n2 posted " << kFrames << " RX buffers again; the relay never ran out, so it "
      << "asked for no kick";
  EXPECT_LE(n1.kicks(kHwsimQueueTx), kFrames) << "at most one TX kick per frame";
  EXPECT_GE(n1.kicks(kHwsimQueueTx), 1u);
}

TEST_F(RelayVhostEventIdx, GuestOutOfRxBuffersIsServedWhenItPostsMore) {
  // n2 reads nothing while n1 sends more frames than n2 has RX buffers; n1 waits for its TX
  // buffers to come back between bursts, so none is reused before the relay took it.
  constexpr std::uint32_t kBurst = FakeFrontEnd::kQueueSize / 2;
  constexpr std::uint32_t kFrames = 3 * kBurst;
  for (std::uint32_t seq = 0; seq < kFrames; ++seq) {
    n1.transmit(guest_frame(frame_number(seq), seq));
    if ((seq + 1) % kBurst == 0) {
      ASSERT_EQ(n1.wait_used(kHwsimQueueTx, kBurst, kWaitMs).size(), kBurst);
    }
  }
  const std::uint32_t rx_kicks_before = n2.kicks(kHwsimQueueRx);

  const std::vector<Bytes> at_n2 = n2.receive(kFrames, kWaitMs);
  ASSERT_EQ(at_n2.size(), kFrames) << "frames beyond n2's " << FakeFrontEnd::kQueueSize
                                   << " RX buffers wait for the ones it posts again\n"
                                   << relay.process().log();
  for (std::uint32_t seq = 0; seq < kFrames; ++seq)
    EXPECT_EQ(frame_of(at_n2[seq]), frame_number(seq)) << "in order, frame " << seq;
  EXPECT_GT(n2.kicks(kHwsimQueueRx), rx_kicks_before)
      << "the relay found n2's RX queue empty and asked for a kick";
}

}  // namespace
}  // namespace vmesh::test
