// Feeds arbitrary bytes through the stream decoder exactly as the relay does, plus the
// attribute readers, checking the decoder's own invariants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "base/wire/hwsim_message.hpp"
#include "base/wire/message_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> rest(data, size);
  while (!rest.empty()) {
    const auto r = vmesh::wire::decode_message(rest);
    if (r.status != vmesh::wire::DecodeStatus::complete) {
      if (r.status == vmesh::wire::DecodeStatus::need_more && r.wire_bytes != 0 &&
          r.wire_bytes <= rest.size()) {
        std::abort();  // claimed to need more while holding enough
      }
      break;
    }
    if (r.wire_bytes < 21 || r.wire_bytes > rest.size()) std::abort();
    const auto message = rest.first(r.wire_bytes);
    const auto m = vmesh::wire::read_hwsim_message(message);
    if (!m.frame.empty() && (m.frame.data() < message.data() ||
                             m.frame.data() + m.frame.size() > message.data() + message.size())) {
      std::abort();  // a view escaped its message
    }
    (void)vmesh::wire::read_frame_routing(message);
    rest = rest.subspan(r.wire_bytes);
  }
  return 0;
}
