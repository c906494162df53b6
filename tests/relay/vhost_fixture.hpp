// A relay serving a topology's nodes on vhost-user sockets, for the fake front end tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fake_front_end.hpp"
#include "guest_messages.hpp"
#include "relay_process.hpp"
#include "topology_fixture.hpp"

namespace vmesh::test {

// A new empty directory under /tmp (the caller removes it).
std::string make_temp_dir();

// vmesh-relay with `--topology` and `--vhost-user-dir` in a temporary directory (removed
// with the object, after the relay has stopped).
class VhostRelay {
 public:
  explicit VhostRelay(const std::string& topology_text,
                      const std::vector<std::string>& extra_args = {});
  ~VhostRelay();
  VhostRelay(const VhostRelay&) = delete;
  VhostRelay& operator=(const VhostRelay&) = delete;

  const std::string& socket_dir() const { return socket_dir_; }
  // The temporary directory holding socket_dir() (removed with the object).
  const std::string& dir() const { return dir_; }
  std::string socket(const std::string& node) const { return socket_dir_ + "/" + node + ".sock"; }
  // Whether the relay process is still running (not exited, not a zombie).
  bool running() const;
  RelayProcess& process() { return *relay_; }
  // Another relay on the same topology file and socket directory, as a restart starts it,
  // plus `extra_args`. Waits until it listens, like RelayProcess.
  std::unique_ptr<RelayProcess> start_another(const std::vector<std::string>& extra_args) const;

 private:
  std::string dir_;
  std::string socket_dir_;
  TopologyFile topology_;
  std::unique_ptr<RelayProcess> relay_;
};

// A relay on `topology_text` (it must have nodes n1 and n2) with both nodes' fake front
// ends connected and brought up; `auto& [relay, n1, n2] = pair;` names them.
struct VhostPair {
  explicit VhostPair(const std::string& topology_text,
                     const std::vector<std::string>& extra_args = {});
  VhostRelay relay;
  FakeFrontEnd n1;
  FakeFrontEnd n2;
};

// Expects the one message `receiver` gets within timeout_ms to be the RX frame carrying
// `frame`: a fatal failure (with the relay's log) unless exactly one message arrives, so a
// test that goes on calls it under ASSERT_NO_FATAL_FAILURE. `message` (when given) receives
// that message, power byte first, for further checks.
void expect_one_frame(FakeFrontEnd& receiver, const Bytes& frame, int timeout_ms, VhostRelay& relay,
                      Bytes* message = nullptr);

}  // namespace vmesh::test
