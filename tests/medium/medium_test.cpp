#include "medium/medium.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/medium/medium_test_support.hpp"

namespace vmesh::medium {
namespace {

using testing::decide;
using testing::decide_one;
using testing::frame_from;
using testing::make_medium;

constexpr std::string_view kLine3 = R"([medium]
default = "none"
[medium.defaults]
delay = "1ms"
[[node]]
name = "n1"
[[node]]
name = "n2"
[[node]]
name = "n3"
[[link]]
nodes = ["n1", "n2"]
[[link]]
nodes = ["n2", "n3"]
)";

TEST(Medium, ListedLinksDeliverAndUnlistedPairsAreDeaf) {
  Medium medium = make_medium(kLine3);
  const auto out = decide(medium, frame_from(0), 0);
  ASSERT_EQ(out.size(), 2U);  // every other node, in order
  EXPECT_EQ(out[0].receiver, 1);
  EXPECT_EQ(out[0].verdict, Verdict::deliver);
  EXPECT_EQ(out[0].delay_us, 1000U);
  EXPECT_EQ(out[0].signal_dbm, kDefaultSignalDbm);
  EXPECT_EQ(out[1].receiver, 2);
  EXPECT_EQ(out[1].verdict, Verdict::drop_deaf);

  const auto middle = decide(medium, frame_from(1), 10);
  ASSERT_EQ(middle.size(), 2U);
  EXPECT_EQ(middle[0].verdict, Verdict::deliver);
  EXPECT_EQ(middle[1].verdict, Verdict::deliver);
  EXPECT_TRUE(medium.hears(0, 1));
  EXPECT_FALSE(medium.hears(0, 2));
  EXPECT_FALSE(medium.hears(2, 0));
}

TEST(Medium, DefaultAllLetsUnlistedPairsHearWithTheDefaults) {
  Medium medium = make_medium(R"([medium]
default = "all"
[medium.defaults]
delay = "3ms"
[[node]]
name = "a"
[[node]]
name = "b"
[[node]]
name = "c"
[[link]]
nodes = ["a", "b"]
delay = "7ms"
)");
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 0).delay_us, 7000U);
  EXPECT_EQ(decide_one(medium, frame_from(0), 2, 0).delay_us, 3000U);
  EXPECT_EQ(decide_one(medium, frame_from(2), 1, 0).verdict, Verdict::deliver);
}

TEST(Medium, OneWayLinksAreDirected) {
  Medium medium = make_medium(R"([[node]]
name = "a"
[[node]]
name = "b"
[[link]]
from = "a"
to = "b"
)");
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 0).verdict, Verdict::deliver);
  EXPECT_EQ(decide_one(medium, frame_from(1), 0, 0).verdict, Verdict::drop_deaf);
}

TEST(Medium, SenderOutsideTheTopologyGetsNoDeliveries) {
  Medium medium = make_medium(kLine3);
  EXPECT_TRUE(decide(medium, frame_from(7), 0).empty());
}

TEST(Medium, ExplicitSignalIsClampedToThePowerByteRange) {
  Medium medium = make_medium(R"([medium]
default = "all"
default_signal_dbm = -61
[[node]]
name = "a"
[[node]]
name = "b"
[[node]]
name = "c"
[[node]]
name = "d"
[[link]]
from = "a"
to = "b"
signal_dbm = -5
[[link]]
from = "a"
to = "c"
signal_dbm = -128
)");
  const auto out = decide(medium, frame_from(0), 0);
  EXPECT_EQ(out[0].signal_dbm, -10);  // clamped like vwifi
  EXPECT_EQ(out[1].signal_dbm, -128);
  EXPECT_EQ(out[2].signal_dbm, -61);  // the fixed default
}

// Independent of the implementation: FSPL(d, f) = 20 log10(d) + 20 log10(f) - 27.55.
double fspl(double distance, double freq) {
  return 20 * std::log10(distance) + 20 * std::log10(freq) - 27.55;
}

constexpr std::string_view kPlaced = R"([medium]
path_loss = "free_space"
[[node]]
name = "a"
position = [0, 0]
[[node]]
name = "b"
position = [6, 8]
[[node]]
name = "c"
position = [900, 0]
[[node]]
name = "d"
position = [0, 1000]
[[node]]
name = "e"
position = [0, 5000]
[[link]]
from = "a"
to = "e"
[[link]]
from = "a"
to = "c"
signal_dbm = -77
)";

TEST(Medium, FreeSpacePathLossGivesSignalAndRange) {
  Medium medium = make_medium(kPlaced);
  const auto out = decide(medium, frame_from(0, 100, 2412), 0);
  ASSERT_EQ(out.size(), 4U);
  // b at 10 m: 10 dBm - 60.1 dB.
  EXPECT_EQ(out[0].verdict, Verdict::deliver);
  EXPECT_EQ(out[0].signal_dbm, static_cast<int>(std::lround(10 - fspl(10, 2412))));
  EXPECT_EQ(out[0].signal_dbm, -50);
  // c: a listed link with its own signal overrides the model.
  EXPECT_EQ(out[1].signal_dbm, -77);
  // d at 1000 m: 10 - 100.1 = -90.1 dBm, below the -90 dBm sensitivity.
  EXPECT_EQ(out[2].verdict, Verdict::drop_deaf);
  // e at 5 km is listed: it hears whatever the model says (clamped).
  EXPECT_EQ(out[3].verdict, Verdict::deliver);
  EXPECT_EQ(out[3].signal_dbm, static_cast<int>(std::lround(10 - fspl(5000, 2412))));
  // The transmit power of the frame counts: 20 dBm reaches d.
  FrameInfo loud = frame_from(0, 100, 2412);
  loud.tx_power_dbm = 20;
  EXPECT_EQ(decide_one(medium, loud, 3, 1).verdict, Verdict::deliver);
  EXPECT_EQ(decide_one(medium, loud, 3, 1).signal_dbm, -80);
  // Frequency matters: at 5180 MHz b is 6.6 dB weaker.
  EXPECT_EQ(decide_one(medium, frame_from(0, 100, 5180), 1, 2).signal_dbm,
            static_cast<int>(std::lround(10 - fspl(10, 5180))));
}

TEST(Medium, LogDistancePathLoss) {
  Medium medium = make_medium(R"([medium]
path_loss = "log_distance"
path_loss_exponent = 3.0
[[node]]
name = "a"
position = [0, 0, 0]
[[node]]
name = "b"
position = [0, 0, 10]
)");
  // FSPL at 1 m plus 30 dB per decade.
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 0).signal_dbm,
            static_cast<int>(std::lround(10 - fspl(1, 2412) - 30)));
}

TEST(Medium, MoveChangesTheSignalAndReach) {
  Medium medium = make_medium(std::string(kPlaced) + R"([[event]]
at = "5s"
action = "move"
node = "b"
position = [3000, 0]
[[event]]
at = "6s"
action = "move"
node = "d"
position = [0, 1]
)");
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 4'999'999).verdict, Verdict::deliver);
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 5'000'000).verdict, Verdict::drop_deaf);
  EXPECT_FALSE(medium.hears(0, 1));
  const Delivery near = decide_one(medium, frame_from(0), 3, 6'000'000);
  EXPECT_EQ(near.verdict, Verdict::deliver);
  EXPECT_EQ(near.signal_dbm, static_cast<int>(std::lround(10 - fspl(1, 2412))));
}

TEST(Medium, LinkDownAndUpFollowTheTimeline) {
  Medium medium = make_medium(std::string(kLine3) + R"([[event]]
at = "30s"
action = "link_down"
nodes = ["n2", "n3"]
[[event]]
at = "40s"
action = "link_up"
from = "n3"
to = "n2"
[[event]]
at = "50s"
action = "link_up"
nodes = ["n1", "n3"]
)");
  EXPECT_EQ(medium.next_event_us(), 30'000'000U);
  EXPECT_EQ(decide_one(medium, frame_from(1), 2, 29'999'999).verdict, Verdict::deliver);
  EXPECT_EQ(decide_one(medium, frame_from(1), 2, 30'000'000).verdict, Verdict::drop_deaf);
  EXPECT_EQ(decide_one(medium, frame_from(2), 1, 30'000'000).verdict, Verdict::drop_deaf);
  EXPECT_EQ(medium.next_event_us(), 40'000'000U);
  // Only n3 -> n2 comes back.
  EXPECT_EQ(decide_one(medium, frame_from(2), 1, 40'000'000).verdict, Verdict::deliver);
  EXPECT_EQ(decide_one(medium, frame_from(1), 2, 40'000'000).verdict, Verdict::drop_deaf);
  // link_up on a pair that had no link creates it with the defaults.
  EXPECT_EQ(decide_one(medium, frame_from(0), 2, 49'000'000).verdict, Verdict::drop_deaf);
  medium.advance_to(50'000'000);
  EXPECT_FALSE(medium.next_event_us());
  const Delivery created = decide_one(medium, frame_from(0), 2, 50'000'000);
  EXPECT_EQ(created.verdict, Verdict::deliver);
  EXPECT_EQ(created.delay_us, 1000U);
}

TEST(Medium, ATimelineThatWaitsForTheNodesStartsWhereItIsToldTo) {
  Medium medium = make_medium(R"([meta]
timeline_start = "ready"
)" + std::string(kLine3) + R"([[event]]
at = "30s"
action = "link_down"
nodes = ["n1", "n2"]
[[event]]
at = "40s"
action = "ramp"
nodes = ["n2", "n3"]
duration = "10s"
delay = "11ms"
)");
  EXPECT_FALSE(medium.timeline_origin_us());
  EXPECT_FALSE(medium.next_event_us());  // nothing is due while it waits
  // Long past the events' times on the run's clock, nothing has happened.
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 200'000'000).verdict, Verdict::deliver);
  medium.advance_to(210'000'000);
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 210'000'000).verdict, Verdict::deliver);

  ASSERT_TRUE(medium.start_timeline(210'000'000));
  EXPECT_FALSE(medium.start_timeline(220'000'000));  // it runs already: the origin stays
  EXPECT_EQ(medium.timeline_origin_us(), 210'000'000U);
  EXPECT_EQ(medium.next_event_us(), 240'000'000U);
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 239'999'999).verdict, Verdict::deliver);
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 240'000'000).verdict, Verdict::drop_deaf);
  // The ramp runs from origin + 40 s to origin + 50 s.
  EXPECT_EQ(decide_one(medium, frame_from(1), 2, 255'000'000).delay_us, 6000U);
  EXPECT_EQ(decide_one(medium, frame_from(1), 2, 260'000'000).delay_us, 11000U);
}

TEST(Medium, ATimelineStartsWithTheRunByDefault) {
  Medium medium = make_medium(std::string(kLine3) + R"([[event]]
at = "30s"
action = "link_down"
nodes = ["n1", "n2"]
)");
  EXPECT_EQ(medium.timeline_origin_us(), 0U);
  EXPECT_FALSE(medium.start_timeline(5'000'000));
  EXPECT_EQ(medium.next_event_us(), 30'000'000U);
}

TEST(Medium, SetLinkChangesParametersAndCreatesLinks) {
  Medium medium = make_medium(std::string(kLine3) + R"([[event]]
at = "1s"
action = "set_link"
nodes = ["n1", "n2"]
delay = "9ms"
loss = 1.0
[[event]]
at = "2s"
action = "set_link"
from = "n1"
to = "n3"
delay = "4ms"
)");
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 1'000'000).verdict, Verdict::drop_loss);
  EXPECT_EQ(medium.link_params(1, 0).delay_us, 9000U);
  EXPECT_EQ(medium.link_params(1, 0).loss_prob, 1.0);
  EXPECT_EQ(decide_one(medium, frame_from(0), 2, 1'500'000).verdict, Verdict::drop_deaf);
  const Delivery created = decide_one(medium, frame_from(0), 2, 2'000'000);
  EXPECT_EQ(created.verdict, Verdict::deliver);
  EXPECT_EQ(created.delay_us, 4000U);
  EXPECT_EQ(decide_one(medium, frame_from(2), 0, 2'000'000).verdict,
            Verdict::drop_deaf);  // one way only
}

TEST(Medium, RampInterpolatesLinearly) {
  Medium medium = make_medium(std::string(kLine3) + R"([[event]]
at = "10s"
action = "ramp"
nodes = ["n1", "n2"]
duration = "10s"
delay = "11ms"
signal_dbm = -90
)");
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 9'000'000).delay_us, 1000U);
  const Delivery start = decide_one(medium, frame_from(0), 1, 10'000'000);
  EXPECT_EQ(start.delay_us, 1000U);
  EXPECT_EQ(start.signal_dbm, -50);
  const Delivery quarter = decide_one(medium, frame_from(0), 1, 12'500'000);
  EXPECT_EQ(quarter.delay_us, 3500U);
  EXPECT_EQ(quarter.signal_dbm, -60);
  const Delivery half = decide_one(medium, frame_from(1), 0, 15'000'000);
  EXPECT_EQ(half.delay_us, 6000U);
  EXPECT_EQ(half.signal_dbm, -70);
  const Delivery end = decide_one(medium, frame_from(0), 1, 25'000'000);
  EXPECT_EQ(end.delay_us, 11000U);
  EXPECT_EQ(end.signal_dbm, -90);
  EXPECT_EQ(medium.link_params(0, 1).delay_us, 11000U);
  // n2 -> n3 untouched.
  EXPECT_EQ(decide_one(medium, frame_from(1), 2, 25'000'000).delay_us, 1000U);
}

TEST(Medium, RampOfLossReachesEveryFrameAtTheEnd) {
  Medium medium = make_medium(std::string(kLine3) + R"([[event]]
at = "0s"
action = "ramp"
from = "n1"
to = "n2"
duration = "1s"
loss = 1
)");
  int lost_early = 0;
  int lost_late = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    lost_early +=
        decide_one(medium, frame_from(0), 1, i * 100).verdict == Verdict::drop_loss ? 1 : 0;
  }
  for (std::uint64_t i = 0; i < 1000; ++i) {
    lost_late +=
        decide_one(medium, frame_from(0), 1, 1'000'000 + i).verdict == Verdict::drop_loss ? 1 : 0;
  }
  // First 0.1 s of the ramp: loss at most 0.1, so at most ~100 of 1000 (mean 50).
  EXPECT_LT(lost_early, 100);
  EXPECT_EQ(lost_late, 1000);
}

TEST(Medium, PartitionAndHeal) {
  Medium medium = make_medium(R"([medium]
default = "all"
[[node]]
name = "a"
[[node]]
name = "b"
[[node]]
name = "c"
[[node]]
name = "d"
[[event]]
at = "1s"
action = "partition"
groups = [["a", "b"], ["c"]]
[[event]]
at = "2s"
action = "heal"
)");
  EXPECT_EQ(decide_one(medium, frame_from(0), 2, 0).verdict, Verdict::deliver);
  const auto split = decide(medium, frame_from(0), 1'000'000);
  EXPECT_EQ(split[0].verdict, Verdict::deliver);    // a -> b, same group
  EXPECT_EQ(split[1].verdict, Verdict::drop_deaf);  // a -> c
  EXPECT_EQ(split[2].verdict, Verdict::drop_deaf);  // a -> d: d is in no group
  EXPECT_EQ(decide_one(medium, frame_from(3), 2, 1'000'001).verdict, Verdict::drop_deaf);
  const auto healed = decide(medium, frame_from(0), 2'000'000);
  for (const Delivery& delivery : healed) EXPECT_EQ(delivery.verdict, Verdict::deliver);
}

TEST(Medium, NodeDownDropsBothWays) {
  Medium medium = make_medium(std::string(kLine3) + R"([[event]]
at = "1s"
action = "node_down"
node = "n2"
[[event]]
at = "3s"
action = "node_up"
node = "n2"
)");
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 1'000'000).verdict, Verdict::drop_node_down);
  const auto from_down = decide(medium, frame_from(1), 1'500'000);
  for (const Delivery& delivery : from_down) EXPECT_EQ(delivery.verdict, Verdict::drop_node_down);
  EXPECT_FALSE(medium.node_up(1));
  EXPECT_EQ(decide_one(medium, frame_from(0), 1, 3'000'000).verdict, Verdict::deliver);
  EXPECT_TRUE(medium.node_up(1));
}

TEST(Medium, ReceiversOnAnotherChannelDrop) {
  Medium medium = make_medium(R"([medium]
default = "all"
channel = 1
[[node]]
name = "a"
[[node]]
name = "b"
[[node]]
name = "c"
channel = 6
)");
  const auto on_1 = decide(medium, frame_from(0, 100, 2412), 0);
  EXPECT_EQ(on_1[0].verdict, Verdict::deliver);
  EXPECT_EQ(on_1[1].verdict, Verdict::drop_channel);
  const auto on_6 = decide(medium, frame_from(0, 100, 2437), 0);
  EXPECT_EQ(on_6[0].verdict, Verdict::drop_channel);
  EXPECT_EQ(on_6[1].verdict, Verdict::deliver);
  // Unknown frequency: no filtering.
  for (const Delivery& delivery : decide(medium, frame_from(0, 100, 0), 0)) {
    EXPECT_EQ(delivery.verdict, Verdict::deliver);
  }
}

TEST(Medium, TransmitterAndCidIdentifyNodes) {
  Medium medium = make_medium(R"([[node]]
name = "a"
[[node]]
name = "b"
cid = 17
[[node]]
name = "c"
mac_prefix = "02:12:34:56:78"
)");
  using vmesh::wire::MacAddress;
  // hwsim reports the permanent address with bit 0x40 of the first octet set.
  EXPECT_EQ(medium.node_for_transmitter(*MacAddress::parse("42:00:00:00:02:00")), 1);
  EXPECT_EQ(medium.node_for_transmitter(*MacAddress::parse("02:00:00:00:02:01")), 1);
  EXPECT_EQ(medium.node_for_transmitter(*MacAddress::parse("42:00:00:00:01:00")), 0);
  EXPECT_EQ(medium.node_for_transmitter(*MacAddress::parse("42:12:34:56:78:03")), 2);
  EXPECT_FALSE(medium.node_for_transmitter(*MacAddress::parse("02:00:00:00:09:00")));
  EXPECT_FALSE(medium.node_for_transmitter(*MacAddress::parse("03:00:00:00:01:00")));
  EXPECT_FALSE(medium.node_for_transmitter(*MacAddress::parse("02:00:00:01:01:00")));
  EXPECT_EQ(medium.node_for_cid(17), 1);
  EXPECT_FALSE(medium.node_for_cid(3));
}

TEST(Medium, RuntimeSetLinkReplacesParameters) {
  Medium medium = make_medium(kLine3);
  LinkParams params;
  params.delay_us = 2500;
  params.signal_dbm = -33;
  medium.set_link(0, 2, params);
  const Delivery delivery = decide_one(medium, frame_from(0), 2, 0);
  EXPECT_EQ(delivery.verdict, Verdict::deliver);
  EXPECT_EQ(delivery.delay_us, 2500U);
  EXPECT_EQ(delivery.signal_dbm, -33);
  EXPECT_EQ(medium.link_params(0, 2), params);
  EXPECT_EQ(decide_one(medium, frame_from(2), 0, 0).verdict, Verdict::drop_deaf);
  medium.set_link(0, 99, params);  // ignored
}

TEST(Medium, DecideDoesNotAllocateOnceTheVectorHasCapacity) {
  Medium medium = make_medium(kLine3);
  std::vector<Delivery> out;
  out.reserve(8);
  const Delivery* data = out.data();
  for (std::uint64_t i = 0; i < 1000; ++i) {
    out.clear();
    medium.decide(frame_from(static_cast<NodeId>(i % 3)), i, out);
    ASSERT_EQ(out.size(), 2U);
  }
  EXPECT_EQ(out.data(), data);
  EXPECT_EQ(out.capacity(), 8U);
}

TEST(Medium, RetryDrawsAgainOnlyOnTheOneLink) {
  constexpr std::string_view kLossy = R"([medium]
default = "none"
[[node]]
name = "a"
[[node]]
name = "b"
[[node]]
name = "c"
[[link]]
nodes = ["a", "b"]
loss = 0.5
[[link]]
nodes = ["a", "c"]
loss = 0.5
)";
  // Same seed, same frames: retries on a->b leave a->c's draws where they were.
  Medium plain = make_medium(kLossy, 7);
  Medium retried = make_medium(kLossy, 7);
  int retry_delivered = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const auto a = decide(plain, frame_from(0), i);
    const auto b = decide(retried, frame_from(0), i);
    ASSERT_EQ(a[1].verdict, b[1].verdict) << "frame " << i;  // a->c unaffected
    if (b[0].verdict == Verdict::drop_loss) {
      const Delivery again = retried.retry(frame_from(0), 1, i);
      EXPECT_NE(again.verdict, Verdict::drop_deaf);
      if (again.verdict == Verdict::deliver) ++retry_delivered;
    }
  }
  // About half of the ~1000 retries get through (5 sigma is ~80).
  EXPECT_GT(retry_delivered, 420);
  EXPECT_LT(retry_delivered, 580);
}

TEST(Medium, RetryKeepsTheLinkChecks) {
  Medium medium = make_medium(kLine3);
  EXPECT_EQ(medium.retry(frame_from(0), 2, 0).verdict, Verdict::drop_deaf);  // no n1-n3 link
  EXPECT_EQ(medium.retry(frame_from(0), 1, 0).verdict, Verdict::deliver);
  EXPECT_EQ(medium.retry(frame_from(0), 1, 0).delay_us, 1000U);
  EXPECT_EQ(medium.retry(frame_from(0), 0, 0).verdict, Verdict::drop_deaf);   // itself
  EXPECT_EQ(medium.retry(frame_from(0), 42, 0).verdict, Verdict::drop_deaf);  // no such node
}

}  // namespace
}  // namespace vmesh::medium
