// The agent's relay connection against a real loopback listener, with the hwsim socket
// replaced at the seam by one end of a SOCK_SEQPACKET socketpair (same datagram semantics
// as a netlink socket: one message per send, boundaries kept).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_builder.hpp"
#include "relay/agent/agent_loop.hpp"
#include "relay/agent/frame_pipeline.hpp"
#include "relay/agent/netlink_protocol.hpp"
#include "relay/agent/relay_link.hpp"

namespace vmesh::agent {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::uint16_t kFamily = 0x22;

wire::MacAddress mac(const char* text) {
  return *wire::MacAddress::parse(text);
}

// The kernel message as a wire message (power byte 0), for wire::read_hwsim_message.
Bytes with_power_byte(const Bytes& nl) {
  Bytes out(nl.size() + 1, 0);
  std::copy(nl.begin(), nl.end(), out.begin() + 1);
  return out;
}

UniqueFd listen_on(std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0)
    return UniqueFd();
  if (::listen(fd.get(), 4) != 0) return UniqueFd();
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

// A kernel FRAME message from radio `tx`, with a payload tagged by `tag`.
Bytes kernel_frame(const wire::MacAddress& tx, std::uint8_t tag, std::size_t frame_bytes = 40) {
  Bytes wire_msg;
  wire::MessageBuilder b(wire_msg, 0, wire::HwsimCmd::frame, {.type = kFamily});
  b.put_mac(wire::HwsimAttr::addr_transmitter, tx);
  Bytes frame(frame_bytes, tag);
  b.put(wire::HwsimAttr::frame, frame);
  b.put_u32(wire::HwsimAttr::flags, 1);
  b.put_u32(wire::HwsimAttr::freq, 2412);
  const Bytes tx_info = {0, 3, 0xff, 0, 0xff, 0, 0xff, 0};
  b.put(wire::HwsimAttr::tx_info, tx_info);
  b.put_u64(wire::HwsimAttr::cookie, 1000u + tag);
  b.finish();
  return Bytes(wire_msg.begin() + 1, wire_msg.end());  // the kernel sends no power byte
}

// A relay-side message from another VM's radio.
Bytes relay_frame(std::int8_t power, std::uint8_t tag, std::size_t frame_bytes) {
  Bytes wire_msg;
  wire::MessageBuilder b(wire_msg, power, wire::HwsimCmd::frame, {.type = 0x1d});
  b.put_mac(wire::HwsimAttr::addr_transmitter, mac("02:00:00:00:02:00"));
  Bytes frame(frame_bytes, tag);
  b.put(wire::HwsimAttr::frame, frame);
  b.put_u32(wire::HwsimAttr::freq, 2412);
  b.finish();
  return wire_msg;
}

class AgentSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_ = listen_on(0);
    ASSERT_TRUE(listener_);
    port_ = port_of(listener_.get());
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
    agent_end_.reset(pair[0]);
    kernel_end_.reset(pair[1]);
    RelayEndpoint endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = port_;
    pipeline_ = std::make_unique<FramePipeline>(
        kFamily, std::vector<LocalRadio>{{mac("02:00:00:00:01:00"), mac("02:00:00:00:01:00")}}, 10);
    link_ =
        std::make_unique<RelayLink>(endpoint, [this](std::string_view l) { log_.emplace_back(l); });
    loop_ = std::make_unique<AgentLoop>(agent_end_.get(), *pipeline_, *link_,
                                        [this](std::string_view l) { log_.emplace_back(l); });
  }

  // Runs the agent loop until `done` or the deadline; the test's own sockets are polled by
  // `done` itself.
  bool pump_until(const std::function<bool()>& done,
                  std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      loop_->run_once(5);
      if (done()) return true;
    }
    return false;
  }

  UniqueFd accept_relay_client() {
    UniqueFd conn;
    pump_until([&] {
      pollfd p{listener_.get(), POLLIN, 0};
      if (::poll(&p, 1, 0) == 1)
        conn.reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
      return static_cast<bool>(conn) && link_->state() == LinkState::connected;
    });
    return conn;
  }

  static void read_stream(int fd, Bytes& into) {
    std::uint8_t buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n <= 0) return;
      into.insert(into.end(), buf, buf + n);
    }
  }

  // Datagrams the agent sent to "the kernel", split into netlink messages.
  std::vector<Bytes> read_kernel_messages() {
    std::vector<Bytes> out;
    std::vector<std::uint8_t> buf(1 << 20);
    for (;;) {
      const ssize_t n = ::recv(kernel_end_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
      if (n <= 0) return out;
      ++kernel_datagrams_;
      for_each_netlink_message(
          std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)),
          [&](const NetlinkView& v) { out.emplace_back(v.bytes.begin(), v.bytes.end()); });
    }
  }

  void send_kernel(const Bytes& nl) {
    ASSERT_EQ(::send(kernel_end_.get(), nl.data(), nl.size(), 0), static_cast<ssize_t>(nl.size()));
  }

  bool logged(std::string_view needle) const {
    for (const auto& l : log_) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  UniqueFd listener_;
  std::uint16_t port_ = 0;
  UniqueFd agent_end_;
  UniqueFd kernel_end_;
  std::unique_ptr<FramePipeline> pipeline_;
  std::unique_ptr<RelayLink> link_;
  std::unique_ptr<AgentLoop> loop_;
  std::vector<std::string> log_;
  int kernel_datagrams_ = 0;
};

TEST_F(AgentSocketTest, KernelFramesReachTheRelayAndAreAcknowledged) {
  UniqueFd conn = accept_relay_client();
  ASSERT_TRUE(conn);
  EXPECT_TRUE(logged("connected"));
  Bytes expected;
  for (std::uint8_t tag = 1; tag <= 20; ++tag) {
    const Bytes nl = kernel_frame(mac("02:00:00:00:01:00"), tag, 30 + tag);
    send_kernel(nl);
    expected.push_back(10);
    expected.insert(expected.end(), nl.begin(), nl.end());
  }
  Bytes got;
  ASSERT_TRUE(pump_until([&] {
    read_stream(conn.get(), got);
    return got.size() >= expected.size();
  }));
  EXPECT_EQ(got, expected);
  // 20 frames queued before the agent woke up: one relay send carried them all.
  EXPECT_LE(link_->counters().sends, 2u);

  const auto kernel = read_kernel_messages();
  ASSERT_EQ(kernel.size(), 20u);
  for (std::size_t i = 0; i < kernel.size(); ++i) {
    const Bytes as_wire = with_power_byte(kernel[i]);
    const auto m = wire::read_hwsim_message(as_wire);
    EXPECT_EQ(m.genl_cmd, 3);
    EXPECT_EQ(m.cookie.value_or(0), 1001u + i);
    EXPECT_EQ(m.flags.value_or(0), 1u | 4u);
  }
  // TX status for a burst is batched into few sendmsg() calls.
  EXPECT_LT(kernel_datagrams_, 20);
}

TEST_F(AgentSocketTest, RelayBytesInAnySplitBecomeRxFrames) {
  UniqueFd conn = accept_relay_client();
  ASSERT_TRUE(conn);
  Bytes stream;
  std::vector<std::size_t> sizes = {24, 1500, 60, 2300, 100, 800, 24, 1};
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const Bytes m = relay_frame(static_cast<std::int8_t>(-30 - static_cast<int>(i)),
                                static_cast<std::uint8_t>(i + 1), sizes[i]);
    stream.insert(stream.end(), m.begin(), m.end());
  }
  // Odd chunk sizes cut headers, attribute headers and payloads.
  const std::size_t chunks[] = {1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 64, 127, 333, 1000};
  std::size_t off = 0;
  std::size_t c = 0;
  while (off < stream.size()) {
    const std::size_t n = std::min(chunks[c++ % std::size(chunks)], stream.size() - off);
    ASSERT_EQ(::send(conn.get(), stream.data() + off, n, MSG_NOSIGNAL), static_cast<ssize_t>(n));
    off += n;
    loop_->run_once(5);
  }
  std::vector<Bytes> kernel;
  ASSERT_TRUE(pump_until([&] {
    auto more = read_kernel_messages();
    kernel.insert(kernel.end(), more.begin(), more.end());
    return kernel.size() >= sizes.size();
  }));
  ASSERT_EQ(kernel.size(), sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const Bytes as_wire = with_power_byte(kernel[i]);
    const auto m = wire::read_hwsim_message(as_wire);
    EXPECT_EQ(m.genl_cmd, 2);
    EXPECT_EQ(m.receiver, mac("02:00:00:00:01:00"));
    ASSERT_EQ(m.frame.size(), sizes[i]);
    EXPECT_EQ(m.frame[0], static_cast<std::uint8_t>(i + 1));
    EXPECT_EQ(static_cast<std::int32_t>(m.signal_dbm.value_or(0)), -30 - static_cast<int>(i));
    EXPECT_EQ(m.freq_mhz.value_or(0), 2412u);
  }
  EXPECT_EQ(link_->state(), LinkState::connected);
}

TEST_F(AgentSocketTest, ReconnectsAfterTheRelayGoesAwayAndComesBack) {
  UniqueFd conn = accept_relay_client();
  ASSERT_TRUE(conn);
  // The relay closes the connection: the agent notices and reconnects.
  conn.reset();
  ASSERT_TRUE(pump_until([&] { return link_->counters().disconnects == 1; }));
  EXPECT_TRUE(logged("disconnected"));
  conn = accept_relay_client();
  ASSERT_TRUE(conn);
  EXPECT_EQ(link_->counters().connects, 2u);

  // The relay process goes away entirely (listener closed), then comes back on its port.
  conn.reset();
  listener_.reset();
  ASSERT_TRUE(pump_until([&] { return link_->counters().disconnects == 2; }));
  // While it is away frames are still acknowledged to the kernel, and not queued forever.
  send_kernel(kernel_frame(mac("02:00:00:00:01:00"), 7));
  ASSERT_TRUE(pump_until([&] { return loop_->counters().relay_dropped == 1; }));
  EXPECT_EQ(read_kernel_messages().size(), 1u);
  // Let a few attempts fail, then restart the listener; backoff is capped near 1 s.
  pump_until([] { return false; }, std::chrono::milliseconds(700));
  EXPECT_TRUE(logged("Connection refused"));
  listener_ = listen_on(port_);
  ASSERT_TRUE(listener_);
  const auto back = Clock::now();
  conn = accept_relay_client();
  ASSERT_TRUE(conn);
  EXPECT_LT(Clock::now() - back, std::chrono::milliseconds(2500));

  // Frames flow again after the reconnect.
  const Bytes nl = kernel_frame(mac("02:00:00:00:01:00"), 9);
  send_kernel(nl);
  Bytes got;
  ASSERT_TRUE(pump_until([&] {
    read_stream(conn.get(), got);
    return got.size() >= nl.size() + 1;
  }));
  EXPECT_EQ(got[0], 10);
  EXPECT_TRUE(std::equal(nl.begin(), nl.end(), got.begin() + 1));
}

TEST_F(AgentSocketTest, MalformedRelayStreamDropsTheConnectionAndReconnects) {
  UniqueFd conn = accept_relay_client();
  ASSERT_TRUE(conn);
  const Bytes bad = {10, 8, 0, 0, 0, 0x22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // nlmsg_len 8 < 20
  ASSERT_EQ(::send(conn.get(), bad.data(), bad.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bad.size()));
  ASSERT_TRUE(pump_until([&] { return link_->counters().malformed == 1; }));
  EXPECT_TRUE(logged("malformed"));
  UniqueFd again = accept_relay_client();
  EXPECT_TRUE(again);
}

}  // namespace
}  // namespace vmesh::agent
