// A small, fast, seedable random stream (xoshiro256**, seeded through SplitMix64).
// Each directed link owns one, derived from the run seed and the link's index, so the
// decisions on one link do not depend on traffic on any other link.
#pragma once

#include <cstdint>

namespace vmesh::medium {

class RandomStream {
 public:
  // Stream `stream_id` of the run seeded with `seed`. Does not throw.
  RandomStream(std::uint64_t seed, std::uint64_t stream_id) noexcept {
    std::uint64_t mix = seed ^ (stream_id * 0xd1342543de82ef95ULL + 0x9e3779b97f4a7c15ULL);
    for (auto& word : state_) word = splitmix64(mix);
  }

  // 64 uniformly distributed bits.
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // True with probability p (p <= 0 never, p >= 1 always; neither draws a number).
  bool chance(double p) noexcept {
    if (p <= 0.0) return false;
    if (p >= 1.0) return true;
    return uniform() < p;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::uint64_t state_[4]{};
};

}  // namespace vmesh::medium
