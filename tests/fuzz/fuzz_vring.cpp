// Feeds arbitrary bytes to SplitVring as a guest's memory holding a split ring: the first
// bytes choose the queue size, features and starting index, the rest is the region's
// content (ring, descriptor tables, buffers). Checks that every span handed out lies in
// guest memory and that a fault, once raised, stays.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "relay/vhost/guest_memory.hpp"
#include "relay/vhost/split_vring.hpp"

namespace {

using namespace vmesh::vhost;

constexpr std::uint64_t kBase = 0x10000;
constexpr std::size_t kRegionBytes = 8192;
constexpr std::size_t kSideBytes = 256;  // a second region right after the first

bool inside(const std::uint8_t* p, std::size_t n, const std::vector<std::uint64_t>& words) {
  const auto* begin = reinterpret_cast<const std::uint8_t*>(words.data());
  const auto* end = begin + words.size() * 8;
  return p >= begin && p <= end && n <= static_cast<std::size_t>(end - p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::uint32_t queue_size = 1u << (data[0] % 6);  // 1..32
  const bool event_idx = (data[1] & 1) != 0;
  const bool indirect = (data[1] & 2) != 0;
  std::uint16_t base = 0;
  std::memcpy(&base, data + 2, 2);

  std::vector<std::uint64_t> main_words(kRegionBytes / 8, 0);
  std::vector<std::uint64_t> side_words(kSideBytes / 8, 0);
  std::memcpy(main_words.data(), data + 4, std::min(size - 4, kRegionBytes));
  GuestMemory memory;
  auto* main_bytes = reinterpret_cast<std::uint8_t*>(main_words.data());
  auto* side_bytes = reinterpret_cast<std::uint8_t*>(side_words.data());
  if (memory.add_region({kBase, kRegionBytes, kBase, 0}, {main_bytes, kRegionBytes}) !=
          MemoryError::none ||
      memory.add_region({kBase + kRegionBytes, kSideBytes, 0x900000, 0},
                        {side_bytes, kSideBytes}) != MemoryError::none) {
    std::abort();
  }

  const std::uint64_t avail = kBase + 16 * queue_size;
  const std::uint64_t used = (avail + 6 + 2 * queue_size + 3) / 4 * 4;
  SplitVring ring;
  if (!ring.start(memory, {queue_size, kBase, avail, used, base, event_idx, indirect}).ok()) {
    std::abort();  // this layout always fits
  }
  DescriptorChain chain;
  for (int round = 0; round < 64; ++round) {
    const PopResult r = ring.pop(chain);
    if (r.status == PopStatus::empty) break;
    if (r.status == PopStatus::error) {
      if (r.fault.ok() || ring.pop(chain).fault.error != r.fault.error) std::abort();
      if (!chain.readable.empty() || !chain.writable.empty()) std::abort();
      break;
    }
    if (chain.head >= queue_size) std::abort();
    for (const auto s : chain.readable) {
      if (!inside(s.data(), s.size(), main_words) && !inside(s.data(), s.size(), side_words)) {
        std::abort();
      }
    }
    for (const auto s : chain.writable) {
      if (!inside(s.data(), s.size(), main_words) && !inside(s.data(), s.size(), side_words)) {
        std::abort();
      }
      std::memset(s.data(), 0xab, s.size());  // the device writes into what it was given
    }
    const auto written =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(chain.writable_bytes, 0xffff'ffffu));
    if (!ring.push(chain.head, written).fault.ok()) std::abort();
  }
  return 0;
}
