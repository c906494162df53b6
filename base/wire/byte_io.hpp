// Unaligned host-order loads and stores, the only way wire code touches integers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace vmesh::wire {

template <typename T>
requires std::is_trivially_copyable_v<T> T load(const std::uint8_t* p)
noexcept {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T>
requires std::is_trivially_copyable_v<T>
void store(std::uint8_t* p, T value) noexcept {
  std::memcpy(p, &value, sizeof(T));
}

}  // namespace vmesh::wire
