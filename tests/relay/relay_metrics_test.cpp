// --metrics-listen against the real relay: the Prometheus text parses and its values
// match what clients saw; wrong requests get 404/405; silent, garbage-sending and
// oversized-header HTTP clients stall neither relaying nor other scrapes.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "http_client.hpp"
#include "relay_process.hpp"
#include "test_peer.hpp"
#include "topology_fixture.hpp"

namespace vmesh::test {
namespace {

using Clock = std::chrono::steady_clock;

// Samples of an exposition keyed by "name{labels}". Fails the test on any line that is
// neither a comment nor `name{labels} value`, or on a sample without a # TYPE before it.
std::map<std::string, double> parse_exposition(const std::string& text) {
  static const std::regex sample(
      R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.eE+]+|NaN|\+Inf|-Inf)$)re");
  static const std::regex type_line(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$)");
  std::map<std::string, double> samples;
  std::set<std::string> typed;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, type_line)) {
      typed.insert(m[1]);
      continue;
    }
    if (line.starts_with("# HELP ")) continue;
    if (!std::regex_match(line, m, sample)) {
      ADD_FAILURE() << "not a sample line: '" << line << "'";
      continue;
    }
    EXPECT_TRUE(typed.count(m[1])) << "no # TYPE before " << m[1];
    samples[m[1].str() + m[2].str()] = std::stod(m[5]);
  }
  return samples;
}

TEST(RelayMetrics, ExpositionParsesAndMatchesWhatClientsReceived) {
  TopologyFile topo(std::string(kLine3) + "[[link]]\nfrom = \"n2\"\nto = \"n3\"\nloss = 0.5\n");
  RelayProcess relay({"--topology", topo.path(), "--seed", "3", "--metrics-listen", "0"});
  ASSERT_NE(relay.metrics_port, 0);
  auto peers = join_nodes(relay, 3);
  const auto before = parse_exposition(http_get(relay.metrics_port, "/metrics").body);
  for (std::uint32_t seq = 1; seq <= 100; ++seq)
    peers[1].send_bytes(make_frame(2, 10, broadcast_frame(2, seq)));
  long at_n1 = 0, at_n3 = 0;
  while (peers[0].receive(300)) ++at_n1;
  while (peers[2].receive(300)) ++at_n3;

  const HttpReply reply = http_get(relay.metrics_port, "/metrics");
  ASSERT_EQ(reply.status, 200) << reply.head;
  EXPECT_NE(reply.head.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  const auto after = parse_exposition(reply.body);
  const auto delta = [&](const std::string& key) {
    EXPECT_TRUE(after.count(key)) << key << " missing in\n" << reply.body;
    return after.count(key) ? after.at(key) - (before.count(key) ? before.at(key) : 0.0) : -1.0;
  };
  EXPECT_EQ(at_n1, 100);
  EXPECT_EQ(delta(R"(vmesh_link_frames_delivered_total{from="n2",to="n1"})"), at_n1);
  EXPECT_EQ(delta(R"(vmesh_link_frames_delivered_total{from="n2",to="n3"})"), at_n3);
  EXPECT_EQ(delta(R"(vmesh_link_frames_sent_total{from="n2",to="n3"})"), 100);
  EXPECT_EQ(delta(R"(vmesh_link_frames_dropped_total{from="n2",to="n3",reason="loss"})"),
            100 - at_n3);
  EXPECT_EQ(delta(R"(vmesh_link_bytes_delivered_total{from="n2",to="n1"})"), 28 * at_n1);
  EXPECT_EQ(after.at(R"(vmesh_connected{kind="client"})"), 3);
  EXPECT_EQ(after.at(R"(vmesh_link_delay_queue_frames{from="n2",to="n1"})"), 0);
  EXPECT_GT(after.at(R"(vmesh_link_frames_dropped_total{from="n1",to="n3",reason="deaf"})"), 0);
}

TEST(RelayMetrics, WrongPathOrMethodIsRefused) {
  RelayProcess relay({"--metrics-listen", "127.0.0.1:0"});
  EXPECT_EQ(http_get(relay.metrics_port, "/").status, 404);
  EXPECT_EQ(http_get(relay.metrics_port, "/metricsx").status, 404);
  const HttpReply post =
      http_exchange(relay.metrics_port, "POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(post.head.find("Allow: GET"), std::string::npos);
  EXPECT_EQ(http_exchange(relay.metrics_port, "\x01\x02 nonsense\r\n\r\n").status, 400);
  // vwifi mode still exposes the relay-wide and per-client families.
  const HttpReply ok = http_get(relay.metrics_port, "/metrics?x=1");
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("vmesh_connected{kind=\"client\"} 0"), std::string::npos) << ok.body;
  EXPECT_EQ(ok.body.find("vmesh_link_"), std::string::npos);
}

TEST(RelayMetrics, HostileHttpClientsStallNeitherRelayingNorScrapes) {
  TopologyFile topo(kLine3);
  RelayProcess relay(
      {"--topology", topo.path(), "--metrics-listen", "0", "--metrics-timeout-ms", "1500"});
  auto peers = join_nodes(relay, 3);

  const int silent = connect_loopback(relay.metrics_port);
  const int garbage = connect_loopback(relay.metrics_port);
  const int huge = connect_loopback(relay.metrics_port);
  ASSERT_GE(silent, 0);
  ASSERT_GE(garbage, 0);
  ASSERT_GE(huge, 0);
  const std::string noise(3000, '\x07');  // no end of header in sight
  ::send(garbage, noise.data(), noise.size(), MSG_NOSIGNAL);
  // 1 MB of header, sent from a thread: the relay stops reading it, so this may block.
  std::thread huge_sender([huge] {
    std::string request = "GET /metrics HTTP/1.1\r\nX-Filler: ";
    request.append(1 << 20, 'a');
    std::size_t at = 0;
    while (at < request.size()) {
      const ssize_t n = ::send(huge, request.data() + at, request.size() - at, MSG_NOSIGNAL);
      if (n <= 0) break;  // the relay closed it
      at += static_cast<std::size_t>(n);
    }
  });

  // Relaying goes on, and a well-behaved scrape is answered meanwhile.
  const auto start = Clock::now();
  for (std::uint32_t seq = 1; seq <= 50; ++seq) {
    peers[0].send_bytes(make_frame(1, 10, broadcast_frame(1, seq)));
    const auto got = peers[1].receive(1000);
    ASSERT_TRUE(got) << "frame " << seq << " not relayed while HTTP clients misbehave";
    EXPECT_EQ(seq_of(*got), seq);
  }
  const HttpReply scrape = http_get(relay.metrics_port, "/metrics");
  EXPECT_EQ(scrape.status, 200);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5)) << "relaying was held up";

  // The oversized header is answered 431 (or reset) and closed; the silent and the
  // garbage client are closed once --metrics-timeout-ms passes.
  const auto closed_within = [](int fd, int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[4096];
    while (Clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(closed_within(huge, 5000)) << "oversized request never closed";
  huge_sender.join();
  EXPECT_TRUE(closed_within(silent, 5000)) << "silent client never closed";
  EXPECT_TRUE(closed_within(garbage, 5000)) << "garbage client never closed";
  ::close(silent);
  ::close(garbage);
  ::close(huge);
  EXPECT_EQ(http_get(relay.metrics_port, "/metrics").status, 200);
  EXPECT_EQ(relay.log().find("disconnect client"), std::string::npos) << relay.log();
}

TEST(RelayMetrics, OversizedHeaderGets431) {
  RelayProcess relay({"--metrics-listen", "0"});
  std::string request = "GET /metrics HTTP/1.1\r\nX-Filler: ";
  request.append(9000, 'a');  // past the 8 KiB limit, still fits the socket buffers
  const HttpReply reply = http_exchange(relay.metrics_port, request);
  EXPECT_EQ(reply.status, 431) << reply.head;
}

TEST(RelayMetrics, BadListenValuesAreClearErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"localhost:9100", "'localhost' is not an IPv4 address"},
      {"127.0.0.1:", "'' is not a port number"},
      {"127.0.0.1:70000", "'70000' is not a port number"},
      {"300.1.2.3:9100", "'300.1.2.3' is not an IPv4 address"},
      {"[::1]:9100", "'[::1]:9100': IPv6 is not supported"},
      {"http", "'http' is not a port number"},
  };
  for (const auto& [value, message] : cases) {
    try {
      RelayProcess relay({"--metrics-listen", value});
      ADD_FAILURE() << "relay started with --metrics-listen " << value;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("--metrics-listen: " + message), std::string::npos)
          << value << ": " << e.what();
    }
  }
  // A port already taken: the relay names the flag and the address.
  RelayProcess first({"--metrics-listen", "0"});
  const std::string taken = "127.0.0.1:" + std::to_string(first.metrics_port);
  try {
    RelayProcess second({"--metrics-listen", taken});
    ADD_FAILURE() << "two relays on one metrics port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--metrics-listen " + taken), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace vmesh::test
