// Feeds arbitrary bytes to the handover record decoder (the first byte says how many fds
// came with it). Whatever decodes names exactly the fds that came, and survives
// encode -> decode unchanged, fds in the same order.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "relay/vhost/handover_record.hpp"

using namespace vmesh::vhost;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::vector<int> fds(data[0] % (kMaxHandoverFds + 2));
  for (std::size_t i = 0; i < fds.size(); ++i) fds[i] = static_cast<int>(100 + i);
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);

  const HandoverDecode d = decode_handover(bytes, fds);
  if (!d.ok()) return 0;
  const EncodedHandover again = encode_handover(d.record);
  if (again.bytes.size() != bytes.size() || again.fds != fds) std::abort();
  const HandoverDecode back = decode_handover(again.bytes, again.fds);
  if (!back.ok() || !(back.record == d.record)) std::abort();
  return 0;
}
