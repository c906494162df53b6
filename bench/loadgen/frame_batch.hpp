// A client's reusable send buffer: K identical vwifi HWSIM_CMD_FRAME messages built once
// with MessageBuilder; before each write only the sequence numbers and timestamps change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vmesh::bench {

class FrameBatch {
 public:
  // Builds `batch` messages from client `sender` whose 802.11 frames are `frame_bytes`
  // long (>= kMinFrameBytes). Throws std::invalid_argument otherwise.
  FrameBatch(std::uint32_t sender, std::size_t frame_bytes, std::size_t batch);

  // Stamps the first `count` messages with seq, seq+1, ... and `send_time_ns`, and returns
  // their bytes, ready for one write.
  std::span<const std::uint8_t> stamp(std::size_t count, std::uint64_t first_seq,
                                      std::uint64_t send_time_ns) noexcept;

  std::size_t message_bytes() const noexcept { return message_bytes_; }
  std::size_t capacity() const noexcept { return batch_; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t batch_;
  std::size_t message_bytes_ = 0;
  std::size_t frame_offset_ = 0;  // where the 802.11 frame starts inside one message
  std::size_t frame_bytes_;
  std::size_t nl_seq_offset_ = 0;
  std::size_t cookie_offset_ = 0;
};

// The HWSIM_ATTR_FRAME value of a message decode_message() accepted. Checks first the
// place where FrameBatch puts it (right after ADDR_TRANSMITTER; relays forward the bytes
// unchanged), else falls back to wire::read_hwsim_message. Empty if there is none.
std::span<const std::uint8_t> frame_attribute(std::span<const std::uint8_t> message) noexcept;

}  // namespace vmesh::bench
