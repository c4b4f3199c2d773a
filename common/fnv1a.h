// 64-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/): a hash that is
// fixed for ever and the same on every platform, unlike std::hash, for
// values that must not move between builds and runs (a rule group's
// evaluation offset, an alert's MQTT topic).
#ifndef WATTLINE_COMMON_FNV1A_H_
#define WATTLINE_COMMON_FNV1A_H_

#include <cstdint>
#include <string_view>

namespace wattline {

inline constexpr uint64_t kFnv1a64Start = 14695981039346656037ull;

// `hash` (kFnv1a64Start for the first part) continued over `bytes`.
inline uint64_t Fnv1a64(std::string_view bytes, uint64_t hash = kFnv1a64Start) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace wattline

#endif  // WATTLINE_COMMON_FNV1A_H_
