// The launcher's side of a relay restart on the vhost-user transport, against real relays
// and fake QEMU front ends: ask_relay_to_hand_over on the running relay, spawn_relay with
// RelayStart::take_over, wait_for_take_over; the front ends keep their connections and
// frames flow through the new relay. A refused or failed handover is a clear error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "launcher/process/text_file.hpp"
#include "launcher/run/relay_handover.hpp"
#include "launcher/run/relay_launch.hpp"
#include "tests/relay/fake_front_end.hpp"
#include "tests/relay/guest_messages.hpp"
#include "tests/relay/vhost_fixture.hpp"

namespace vmesh::launcher {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::Bytes;
using test::FakeFrontEnd;

constexpr int kWaitMs = 2000;

class RelayHandover : public ::testing::Test {
 protected:
  RelayHandover() : dir_(test::make_temp_dir()) {
    launch_.relay = VMESH_RELAY_BIN;
    launch_.run_dir = dir_;
    launch_.topology = VMESH_TOPOLOGIES_DIR "/line3.toml";
    launch_.timeline_start_steady_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
            .count();
  }
  ~RelayHandover() override {
    for (ChildProcess* relay : {&first_, &second_}) relay->stop(3000ms);
    std::filesystem::remove_all(dir_);
  }
  void start_first(bool vhost_user) {
    if (vhost_user) launch_.vhost_user_dir = std::filesystem::path(dir_) / "vhost";
    first_ = spawn_relay(launch_, false, Clock::now() + 10s);
  }
  std::string socket(const std::string& node) const {
    return (*launch_.vhost_user_dir / (node + ".sock")).string();
  }
  std::string log() const { return read_text_file(launch_.log()); }
  // `from` (node index 1-based) sends one broadcast frame; `to` must receive exactly it and
  // `from` its TX status.
  void exchange(FakeFrontEnd& from, std::uint8_t from_node, FakeFrontEnd& to, std::uint32_t seq) {
    const Bytes frame = test::data_frame(test::kBroadcast, test::interface_address(from_node), seq);
    from.transmit(test::guest_frame(frame, seq));
    const auto frames = test::with_command(to.receive(1, kWaitMs), wire::HwsimCmd::frame);
    ASSERT_EQ(frames.size(), 1u) << "seq " << seq << "\n" << log();
    const auto rx = wire::read_hwsim_message(frames[0]);
    EXPECT_EQ(Bytes(rx.frame.begin(), rx.frame.end()), frame);
    // The sender's TX status, so that the next exchange starts with empty queues.
    EXPECT_EQ(test::with_command(from.receive(1, kWaitMs), wire::HwsimCmd::tx_info_frame).size(),
              1u)
        << "seq " << seq;
  }

  std::string dir_;
  RelayLaunch launch_;
  ChildProcess first_;
  ChildProcess second_;
};

TEST_F(RelayHandover, FrontEndsMoveToTheNewRelayWithoutADisconnect) {
  start_first(true);
  FakeFrontEnd n1(socket("n1"));
  FakeFrontEnd n2(socket("n2"));
  n1.bring_up();
  n2.bring_up();
  ASSERT_NO_FATAL_FAILURE(exchange(n1, 1, n2, 1));

  const std::string answer = ask_relay_to_hand_over(launch_, 5s);
  EXPECT_TRUE(answer.starts_with("ok handing over 2 vhost-user front ends (n1, n2)")) << answer;
  ++launch_.restarts;
  const auto offset = std::filesystem::file_size(launch_.log());
  second_ = spawn_relay(launch_, false, Clock::now() + 10s, RelayStart::take_over);
  const std::string line = wait_for_take_over(launch_, offset, Clock::now() + 10s);
  EXPECT_NE(line.find("2 of 2 front ends served on"), std::string::npos) << line;
  EXPECT_EQ(first_.wait_for(10s), std::optional<int>(0)) << log();

  // The same connections, now served by the second relay, both ways.
  ASSERT_NO_FATAL_FAILURE(exchange(n2, 2, n1, 2));
  ASSERT_NO_FATAL_FAILURE(exchange(n1, 1, n2, 3));
  EXPECT_TRUE(relay_bound_all(log().substr(offset), {"n1", "n2"})) << log();
  // A VM (re)started later finds its node socket still there, listening.
  FakeFrontEnd n3(socket("n3"));
  n3.bring_up();
}

TEST_F(RelayHandover, WithNoFrontEndTheTakeOverStillSaysSo) {
  start_first(true);
  const std::string answer = ask_relay_to_hand_over(launch_, 5s);
  EXPECT_TRUE(answer.starts_with("ok handing over 0 vhost-user front ends")) << answer;
  ++launch_.restarts;
  const auto offset = std::filesystem::file_size(launch_.log());
  second_ = spawn_relay(launch_, false, Clock::now() + 10s, RelayStart::take_over);
  EXPECT_NE(wait_for_take_over(launch_, offset, Clock::now() + 10s).find("0 of 0 front ends"),
            std::string::npos);
  EXPECT_EQ(first_.wait_for(10s), std::optional<int>(0)) << log();
}

TEST_F(RelayHandover, ARelayWithoutVhostUserRefusesAndServesOn) {
  start_first(false);
  try {
    ask_relay_to_hand_over(launch_, 5s);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("refused to hand its vhost-user front ends over, and "
                                         "serves on: error: vhost handover: this relay serves "
                                         "no vhost-user front ends"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(first_.try_wait().has_value()) << log();
}

TEST_F(RelayHandover, ATakeOverWithNobodyHandingOverFailsWithTheRelaysReason) {
  start_first(true);
  first_.stop(3000ms);  // a relay that stopped instead of handing over
  ++launch_.restarts;
  const auto offset = std::filesystem::file_size(launch_.log());
  second_ = spawn_relay(launch_, false, Clock::now() + 10s, RelayStart::take_over);
  try {
    wait_for_take_over(launch_, offset, Clock::now() + 10s);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("could not take the vhost-user front ends over"), std::string::npos);
    EXPECT_NE(what.find("cannot connect to " + launch_.handover_socket().string()),
              std::string::npos)
        << what;
  }
}

TEST(RelayTakeOverStatus, ReadsTheRelaysLines) {
  EXPECT_EQ(take_over_status("relay listening\n").state, TakeOverStatus::State::pending);
  const auto served = take_over_status(
      "x\nvhost take-over from pid 7 at /r/h.sock: 1 front ends, 3 node sockets\nvhost "
      "take-over: 1 of 1 front ends served on; 0 frames lost to the restart\ny\n");
  EXPECT_EQ(served.state, TakeOverStatus::State::served);
  EXPECT_EQ(served.line,
            "vhost take-over: 1 of 1 front ends served on; 0 frames lost to the restart");
  const auto failed = take_over_status(
      "vhost take-over from /r/h.sock failed: record 1 (hello): not a handover record (bad "
      "magic); starting without the front ends handed over\n");
  EXPECT_EQ(failed.state, TakeOverStatus::State::failed);
  EXPECT_NE(failed.line.find("bad magic"), std::string::npos);
}

}  // namespace
}  // namespace vmesh::launcher
