// Feeds arbitrary bytes to the vhost-user codec as one message (the first byte says how
// many fds came with it). Whatever decodes must survive encode -> decode unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "relay/vhost/vhost_user_message.hpp"

using namespace vmesh::vhost;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::vector<int> fds(data[0] % 10);
  for (std::size_t i = 0; i < fds.size(); ++i) fds[i] = static_cast<int>(100 + i);
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);

  const HeaderResult h = decode_header(bytes);
  const MessageResult r = decode_message(bytes, fds);
  if (r.ok() && (h.status != DecodeStatus::complete || h.header.size + kHeaderSize != bytes.size()))
    std::abort();
  if (!r.ok()) return 0;

  const std::vector<std::uint8_t> again = encode_request(r.message);
  if (again.size() != bytes.size()) std::abort();
  const MessageResult back = decode_message(again, fds);
  if (!back.ok() || back.message.request != r.message.request ||
      back.message.flags != r.message.flags || !(back.message.payload == r.message.payload)) {
    std::abort();
  }
  return 0;
}
