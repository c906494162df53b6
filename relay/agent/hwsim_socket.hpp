// The real kernel side: a NETLINK_GENERIC socket that resolves MAC80211_HWSIM, creates
// radios, registers as the medium and then carries the frame traffic.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/common/unique_fd.hpp"
#include "base/wire/mac_address.hpp"
#include "relay/agent/netlink_protocol.hpp"

namespace vmesh::agent {

// A setup step the kernel refused; what() is a sentence for the operator, error() -errno.
class HwsimError : public std::runtime_error {
 public:
  HwsimError(const std::string& what, std::int32_t error)
      : std::runtime_error(what), error_(error) {}
  std::int32_t error() const noexcept { return error_; }

 private:
  std::int32_t error_;
};

class HwsimSocket {
 public:
  // socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC), bound (kernel-assigned port id) and
  // connected to the kernel, nonblocking, with large buffers (SO_RCVBUFFORCE when root)
  // and NETLINK_CAP_ACK so error acks do not echo whole frames. Throws HwsimError.
  static HwsimSocket open();

  // CTRL_CMD_GETFAMILY "MAC80211_HWSIM". Throws HwsimError (-ENOENT: module not loaded).
  std::uint16_t resolve_family();
  // HWSIM_CMD_REGISTER. Throws HwsimError (-EBUSY: another medium is registered).
  void register_medium(std::uint16_t family_id);
  // HWSIM_CMD_NEW_RADIO with PERM_ADDR; returns the radio index. Throws HwsimError
  // (-EEXIST: a radio with this address exists).
  std::uint32_t new_radio(std::uint16_t family_id, const wire::MacAddress& perm_addr);
  // HWSIM_CMD_DEL_RADIO by index. Throws HwsimError.
  void del_radio(std::uint16_t family_id, std::uint32_t radio_id);

  int fd() const noexcept { return fd_.get(); }
  std::uint32_t port_id() const noexcept { return port_id_; }

 private:
  explicit HwsimSocket(UniqueFd fd, std::uint32_t port_id)
      : fd_(std::move(fd)), port_id_(port_id) {}
  // Sends `request` and waits for the NLMSG_ERROR answering it; replies before it (e.g.
  // NEWFAMILY) are passed to on_reply. Returns the ack's error field.
  template <typename OnReply>
  std::int32_t transact(std::span<const std::uint8_t> request, std::uint32_t seq,
                        OnReply&& on_reply);

  UniqueFd fd_;
  std::uint32_t port_id_ = 0;
  std::uint32_t seq_ = 1;
  std::vector<std::uint8_t> buf_;
};

}  // namespace vmesh::agent
