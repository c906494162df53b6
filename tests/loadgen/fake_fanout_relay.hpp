// A deliberately simple stand-in for a vwifi relay, for testing the load generator's seam
// only: one thread accepts N clients on 127.0.0.1, then forwards every complete message
// from one client to all the others with blocking writes (so it never loses a frame).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace vmesh::bench::testing {

struct FakeRelayOptions {
  std::uint32_t clients = 3;
  std::uint16_t port = 0;            // 0: pick a free port
  bool echo_to_sender = false;       // also send each message back to its sender
  std::uint32_t drop_every_nth = 0;  // drop every n-th message to the last client (0: none)
};

class FakeFanoutRelay {
 public:
  // Listens at once (so port() is known); the forwarding thread starts immediately.
  // Throws std::system_error if the listener cannot be set up.
  explicit FakeFanoutRelay(FakeRelayOptions options);
  ~FakeFanoutRelay();
  FakeFanoutRelay(const FakeFanoutRelay&) = delete;
  FakeFanoutRelay& operator=(const FakeFanoutRelay&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  // Messages received from clients so far.
  std::uint64_t messages_in() const noexcept { return messages_in_.load(); }
  // Messages dropped on purpose (drop_every_nth).
  std::uint64_t messages_dropped() const noexcept { return messages_dropped_.load(); }
  // Peer addresses ("a.b.c.d") of the accepted clients, valid once all are accepted.
  std::vector<std::string> peer_addresses() const;
  // Stops the thread and closes every socket; also done by the destructor.
  void stop();

 private:
  void serve();

  FakeRelayOptions options_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> accepted_all_{false};
  std::atomic<std::uint64_t> messages_in_{0};
  std::atomic<std::uint64_t> messages_dropped_{0};
  std::vector<std::string> peers_;
  std::thread thread_;
};

}  // namespace vmesh::bench::testing
