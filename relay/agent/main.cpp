// vmesh-agent: the guest end of the vmesh relay protocol.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <string>
#include <string_view>
#include <vector>

#include "relay/agent/agent_loop.hpp"
#include "relay/agent/agent_options.hpp"
#include "relay/agent/frame_pipeline.hpp"
#include "relay/agent/hwsim_socket.hpp"
#include "relay/agent/relay_link.hpp"

#ifndef VMESH_VERSION
#define VMESH_VERSION "unknown"
#endif

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) {
  g_stop.store(true);
}

void log_line(std::string_view text) {
  std::string line = "vmesh-agent: ";
  line.append(text);
  line.push_back('\n');
  // One write per line so lines from several processes on the console do not interleave.
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

void install_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR and the loop sees the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vmesh::agent;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  const ParsedOptions parsed = parse_options(args);
  if (!parsed.options) {
    log_line(parsed.error);
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, usage().data(), usage().size());
    return 2;
  }
  const AgentOptions& options = *parsed.options;
  if (options.help) {
    [[maybe_unused]] const ssize_t n = ::write(STDOUT_FILENO, usage().data(), usage().size());
    return 0;
  }
  if (options.version) {
    const std::string v = std::string("vmesh-agent ") + VMESH_VERSION + "\n";
    [[maybe_unused]] const ssize_t n = ::write(STDOUT_FILENO, v.data(), v.size());
    return 0;
  }
  install_signals();

  std::vector<LocalRadio> radios;
  std::uint16_t family_id = 0;
  HwsimSocket hwsim = [] {
    try {
      return HwsimSocket::open();
    } catch (const HwsimError& e) {
      log_line(e.what());
      std::exit(1);
    }
  }();
  try {
    family_id = hwsim.resolve_family();
    log_line("hwsim family MAC80211_HWSIM id " + std::to_string(family_id));
    hwsim.register_medium(family_id);
    log_line("registered as the hwsim medium (netlink port " + std::to_string(hwsim.port_id()) +
             ")");
    for (const auto& mac : radio_addresses(options)) {
      try {
        const std::uint32_t idx = hwsim.new_radio(family_id, mac);
        log_line("radio " + mac.to_string() + " created (hwsim index " + std::to_string(idx) + ")");
      } catch (const HwsimError& e) {
        // After a restart the radios of the previous run are still there: use them.
        if (e.error() != -EEXIST) throw;
        log_line("radio " + mac.to_string() + " already exists; using it");
      }
      // With PERM_ADDR the kernel keys the radio by that address (addresses[1] == perm);
      // FramePipeline also accepts the 0x40 form if the kernel reports that instead.
      radios.push_back({mac, mac});
    }
  } catch (const HwsimError& e) {
    log_line(e.what());
    return 1;
  }

  FramePipeline pipeline(family_id, std::move(radios), options.tx_power_dbm);
  RelayLink relay(options.relay, log_line);
  AgentLoop loop(hwsim.fd(), pipeline, relay, log_line);
  log_line("forwarding frames; relay " + options.relay.describe());
  loop.run(g_stop);
  log_line("stopping; " + loop.stats_line());
  return 0;
}
