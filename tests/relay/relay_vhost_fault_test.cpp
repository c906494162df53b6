// Front ends that break their queues or the protocol are cut off alone: the relay closes
// that connection, names the fault in its log, keeps running and keeps carrying the other
// guests' frames. Also a second front end on a node's socket taking the node over.
#include <gtest/gtest.h>

#include "fake_front_end.hpp"
#include "relay/vhost/split_vring.hpp"
#include "relay/vhost/virtio_features.hpp"
#include "relay/vhost/vring_layout.hpp"
#include "vhost_fixture.hpp"

namespace vmesh::test {
namespace {

using vhost::kHwsimQueueTx;

constexpr int kWaitMs = 2000;

// The log line's start for a queue fault, e.g. "guest broke its queue: TX queue: head ...".
std::string queue_fault(const char* queue, vhost::VringError error) {
  return std::string("guest broke its queue: ") + queue +
         " queue: " + std::string(vhost::describe(error));
}

// The relay, n1 and n2 up, and n3 (the offender, deaf to n1) up too.
class RelayVhostFault : public ::testing::Test {
 protected:
  RelayVhostFault() : n1_(relay_.socket("n1")), n2_(relay_.socket("n2")), n3_(relay_.socket("n3")) {
    n1_.bring_up();
    n2_.bring_up();
    n3_.bring_up();
  }

  // n3 was closed, the relay logged `fault`, and n1 -> n2 still works.
  void expect_cut_off_alone(const std::string& fault) {
    EXPECT_TRUE(n3_.wait_closed(kWaitMs)) << "the offender's socket stays open";
    const std::string log = relay_.process().log();
    EXPECT_NE(log.find(fault), std::string::npos) << "log lacks '" << fault << "':\n" << log;
    EXPECT_TRUE(relay_.running());
    expect_n1_reaches_n2(++seq_);
  }

  void expect_n1_reaches_n2(std::uint32_t seq) {
    const Bytes frame = data_frame(kBroadcast, interface_address(1), seq);
    n1_.transmit(guest_frame(frame, seq));
    expect_one_frame(n2_, frame, kWaitMs, relay_);
  }

  VhostRelay relay_{kLine3};
  FakeFrontEnd n1_;
  FakeFrontEnd n2_;
  FakeFrontEnd n3_;
  std::uint32_t seq_ = 0;
};

TEST_F(RelayVhostFault, DescriptorOutsideGuestMemory) {
  const std::uint64_t beyond = FakeFrontEnd::kGuestBase + FakeFrontEnd::kMemoryBytes + 0x1000;
  n3_.set_descriptor(kHwsimQueueTx, 0, beyond, 128, 0);
  n3_.make_available(kHwsimQueueTx, 0);
  n3_.kick(kHwsimQueueTx);
  expect_cut_off_alone(queue_fault("TX", vhost::VringError::descriptor_outside_memory));
}

TEST_F(RelayVhostFault, DescriptorRunningPastTheEndOfGuestMemory) {
  const std::uint64_t last_page = FakeFrontEnd::kGuestBase + FakeFrontEnd::kMemoryBytes - 0x1000;
  n3_.set_descriptor(kHwsimQueueTx, 0, last_page, 0x2000, 0);
  n3_.make_available(kHwsimQueueTx, 0);
  n3_.kick(kHwsimQueueTx);
  expect_cut_off_alone(queue_fault("TX", vhost::VringError::descriptor_outside_memory));
}

TEST_F(RelayVhostFault, DescriptorChainLoop) {
  const std::uint64_t a = FakeFrontEnd::buffer_gpa(kHwsimQueueTx, 0);
  const std::uint64_t b = FakeFrontEnd::buffer_gpa(kHwsimQueueTx, 1);
  n3_.set_descriptor(kHwsimQueueTx, 0, a, 64, vhost::kDescFlagNext, 1);
  n3_.set_descriptor(kHwsimQueueTx, 1, b, 64, vhost::kDescFlagNext, 0);
  n3_.make_available(kHwsimQueueTx, 0);
  n3_.kick(kHwsimQueueTx);
  expect_cut_off_alone(queue_fault("TX", vhost::VringError::chain_too_long));
}

TEST_F(RelayVhostFault, HeadIndexBeyondTheQueue) {
  n3_.make_available(kHwsimQueueTx, FakeFrontEnd::kQueueSize + 5);
  n3_.kick(kHwsimQueueTx);
  expect_cut_off_alone(queue_fault("TX", vhost::VringError::bad_head_index));
}

TEST_F(RelayVhostFault, BrokenRxQueue) {
  // Every RX buffer points outside memory: the first delivery to n3 finds out.
  const std::uint64_t beyond = FakeFrontEnd::kGuestBase + FakeFrontEnd::kMemoryBytes;
  for (std::uint16_t i = 0; i < FakeFrontEnd::kQueueSize; ++i)
    n3_.set_descriptor(vhost::kHwsimQueueRx, i, beyond, 4096, vhost::kDescFlagWrite);
  n2_.transmit(guest_frame(data_frame(kBroadcast, interface_address(2), 1), 1));
  ASSERT_EQ(n2_.receive(1, kWaitMs).size(), 1u);  // n2's own TX status
  expect_cut_off_alone(queue_fault("RX", vhost::VringError::descriptor_outside_memory));
}

TEST_F(RelayVhostFault, HeaderWithAnotherVersion) {
  n3_.send_bytes(Bytes{1, 0, 0, 0, /* flags: version 2 */ 2, 0, 0, 0, 0, 0, 0, 0});
  expect_cut_off_alone("bad vhost-user message header: flags carry a version other than 1");
}

TEST_F(RelayVhostFault, PayloadOfTheWrongSize) {
  // SET_VRING_NUM carries 8 bytes (index, num); this one carries 4.
  n3_.send_bytes(Bytes{8, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0});
  expect_cut_off_alone("payload size does not match the request");
}

TEST_F(RelayVhostFault, QueueThatDoesNotExist) {
  n3_.send_message({.request = vhost::Request::set_vring_num,
                    .payload = vhost::VringState{vhost::kHwsimQueueCount, 64}});
  expect_cut_off_alone("queue 2 does not exist");
}

TEST_F(RelayVhostFault, OffenderCanComeBack) {
  n3_.make_available(kHwsimQueueTx, FakeFrontEnd::kQueueSize);
  n3_.kick(kHwsimQueueTx);
  expect_cut_off_alone(queue_fault("TX", vhost::VringError::bad_head_index));

  FakeFrontEnd again(relay_.socket("n3"));
  again.bring_up();
  again.transmit(guest_frame(data_frame(kBroadcast, interface_address(3), 1), 1));
  EXPECT_EQ(n2_.receive(1, kWaitMs).size(), 1u) << "the node's new front end is served";
}

TEST_F(RelayVhostFault, SecondFrontEndTakesTheNodeOver) {
  FakeFrontEnd newer(relay_.socket("n2"));
  newer.bring_up();
  EXPECT_TRUE(n2_.wait_closed(kWaitMs)) << "the older front end of n2 stays open";
  EXPECT_NE(relay_.process().log().find("taken over by a new front end"), std::string::npos)
      << relay_.process().log();

  const Bytes frame = data_frame(kBroadcast, interface_address(1), 1);
  n1_.transmit(guest_frame(frame, 1));
  ASSERT_NO_FATAL_FAILURE(expect_one_frame(newer, frame, kWaitMs, relay_));
  newer.transmit(guest_frame(data_frame(kBroadcast, interface_address(2), 2), 2));
  EXPECT_FALSE(with_command(n1_.receive(2, kWaitMs), wire::HwsimCmd::frame).empty())
      << "the new front end's frames are n2's";
}

}  // namespace
}  // namespace vmesh::test
