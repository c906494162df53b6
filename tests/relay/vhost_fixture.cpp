#include "vhost_fixture.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <stdexcept>

namespace vmesh::test {

std::string make_temp_dir() {
  char templ[] = "/tmp/vmesh-vhost-test-XXXXXX";
  if (::mkdtemp(templ) == nullptr) throw std::runtime_error("mkdtemp failed");
  return templ;
}

VhostRelay::VhostRelay(const std::string& topology_text, const std::vector<std::string>& extra_args)
    : dir_(make_temp_dir()), socket_dir_(dir_ + "/sockets"), topology_(topology_text) {
  relay_ = start_another(extra_args);
}

std::unique_ptr<RelayProcess> VhostRelay::start_another(
    const std::vector<std::string>& extra_args) const {
  std::vector<std::string> args = {"--topology", topology_.path(), "--vhost-user-dir", socket_dir_};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return std::make_unique<RelayProcess>(args);
}

VhostRelay::~VhostRelay() {
  relay_.reset();
  std::system(("rm -rf '" + dir_ + "'").c_str());
}

bool VhostRelay::running() const {
  // Read from /proc rather than waitpid(), which would reap the child behind RelayProcess.
  std::ifstream stat("/proc/" + std::to_string(relay_->pid()) + "/stat");
  std::string pid, name, state;
  stat >> pid >> name >> state;
  return relay_->pid() > 0 && !state.empty() && state != "Z" && state != "X";
}

VhostPair::VhostPair(const std::string& topology_text, const std::vector<std::string>& extra_args)
    : relay(topology_text, extra_args), n1(relay.socket("n1")), n2(relay.socket("n2")) {
  n1.bring_up();
  n2.bring_up();
}

void expect_one_frame(FakeFrontEnd& receiver, const Bytes& frame, int timeout_ms, VhostRelay& relay,
                      Bytes* message) {
  const std::vector<Bytes> at_receiver = receiver.receive(1, timeout_ms);
  ASSERT_EQ(at_receiver.size(), 1u) << relay.process().log();
  const wire::HwsimMessage rx = wire::read_hwsim_message(at_receiver[0]);
  EXPECT_EQ(Bytes(rx.frame.begin(), rx.frame.end()), frame);
  if (message != nullptr) *message = at_receiver[0];
}

}  // namespace vmesh::test
