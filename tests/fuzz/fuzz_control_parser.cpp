// Arbitrary bytes on the control port: the parser must never read past its input and a
// complete request must re-encode to a prefix-consistent size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "relay/core/control_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = vmesh::relay::parse_control_request({data, size});
  if (parsed.status == vmesh::relay::ControlParseStatus::complete) {
    if (parsed.consumed > size) std::abort();
    const auto again = vmesh::relay::encode_control_request(parsed.request);
    if (again.size() > parsed.consumed) std::abort();
  }
  return 0;
}
