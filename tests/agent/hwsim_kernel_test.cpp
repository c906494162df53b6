// Against the running kernel's mac80211_hwsim, when there is one: create radios, register
// as the medium, see a frame, clean up. Skips (with the reason) where that is impossible.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "relay/agent/agent_loop.hpp"
#include "relay/agent/frame_pipeline.hpp"
#include "relay/agent/hwsim_socket.hpp"
#include "relay/agent/relay_link.hpp"

namespace vmesh::agent {
namespace {

namespace fs = std::filesystem;

std::string read_line(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  return s;
}

// The network interface of the radio whose permanent address is `mac`, or "".
std::string netdev_of(const wire::MacAddress& mac) {
  std::error_code ec;
  for (const auto& phy : fs::directory_iterator("/sys/class/ieee80211", ec)) {
    if (read_line(phy.path() / "macaddress") != mac.to_string()) continue;
    for (const auto& dev : fs::directory_iterator(phy.path() / "device" / "net", ec))
      return dev.path().filename();
  }
  return {};
}

TEST(HwsimKernel, CreatesRadiosRegistersAndSeesAFrame) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root (CAP_NET_ADMIN) for HWSIM_CMD_REGISTER/NEW_RADIO";
  std::optional<HwsimSocket> sock;
  try {
    sock.emplace(HwsimSocket::open());
  } catch (const HwsimError& e) {
    GTEST_SKIP() << "no generic netlink: " << e.what();
  }
  std::uint16_t family = 0;
  try {
    family = sock->resolve_family();
  } catch (const HwsimError&) {
    // Not loaded: try to load it the way the guest image does.
    if (std::system("modprobe mac80211_hwsim radios=0 >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "mac80211_hwsim is not loaded and 'modprobe mac80211_hwsim radios=0' failed "
                      "(no module support or no module on this host)";
    }
    try {
      family = sock->resolve_family();
    } catch (const HwsimError& e) {
      GTEST_SKIP() << "mac80211_hwsim still unavailable after modprobe: " << e.what();
    }
  }
  try {
    sock->register_medium(family);
  } catch (const HwsimError& e) {
    if (e.error() == -EBUSY) GTEST_SKIP() << "another medium is already registered: " << e.what();
    FAIL() << e.what();
  }
  // A second registration from another socket must be refused with a clear EBUSY.
  {
    HwsimSocket other = HwsimSocket::open();
    try {
      other.register_medium(family);
      ADD_FAILURE() << "a second REGISTER was accepted";
    } catch (const HwsimError& e) {
      EXPECT_EQ(e.error(), -EBUSY);
      EXPECT_NE(std::string(e.what()).find("already registered"), std::string::npos) << e.what();
    }
  }

  const std::vector<wire::MacAddress> macs = {*wire::MacAddress::parse("02:00:5e:00:99:00"),
                                              *wire::MacAddress::parse("02:00:5e:00:99:01")};
  std::vector<std::uint32_t> ids;
  std::vector<LocalRadio> radios;
  for (const auto& m : macs) {
    ids.push_back(sock->new_radio(family, m));
    radios.push_back({m, m});
  }
  struct Cleanup {
    HwsimSocket& s;
    std::uint16_t f;
    std::vector<std::uint32_t>& ids;
    ~Cleanup() {
      for (auto id : ids) {
        try {
          s.del_radio(f, id);
        } catch (const HwsimError&) {
        }
      }
    }
  } cleanup{*sock, family, ids};

  const std::string dev = netdev_of(macs[0]);
  ASSERT_FALSE(dev.empty()) << "radio " << macs[0].to_string() << " has no network interface";
  if (std::system(("ip link set " + dev + " up >/dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << "radios created and medium registered, but 'ip link set up' is unavailable to "
                    "make one transmit";
  }
  (void)std::system(("iw dev " + dev + " scan trigger >/dev/null 2>&1").c_str());

  FramePipeline pipeline(family, radios, 10);
  RelayEndpoint nowhere;
  nowhere.host = "127.0.0.1";
  nowhere.port = 1;  // nothing listens: frames are still acknowledged and forwarded locally
  RelayLink link(nowhere, [](std::string_view) {});
  AgentLoop loop(sock->fd(), pipeline, link, [](std::string_view) {});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (pipeline.counters().kernel_frames == 0 && std::chrono::steady_clock::now() < deadline)
    loop.run_once(50);
  EXPECT_GT(pipeline.counters().kernel_frames, 0u) << "no frame from " << dev << " within 10 s";
  EXPECT_GT(pipeline.counters().tx_status, 0u);
  EXPECT_EQ(pipeline.counters().unknown_transmitter, 0u);
}

}  // namespace
}  // namespace vmesh::agent
