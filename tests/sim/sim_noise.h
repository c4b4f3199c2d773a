// Deterministic noise for the simulators' value models: pure functions of
// (seed, stream, n), so a model gives the same reading at the same second
// whatever was asked before.
#ifndef WATTLINE_TESTS_SIM_SIM_NOISE_H_
#define WATTLINE_TESTS_SIM_SIM_NOISE_H_

#include <cmath>
#include <cstdint>

namespace wattline::sim {

// splitmix64's finaliser: a good 64-bit mix.
inline uint64_t NoiseMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [-1, 1), fixed for (seed, stream, n).
inline double Noise(uint64_t seed, uint64_t stream, int64_t n) {
  const uint64_t h =
      NoiseMix(seed ^ NoiseMix(stream * 0x100000001b3ULL ^ static_cast<uint64_t>(n)));
  return static_cast<double>(h >> 11) * 0x1.0p-52 - 1.0;
}

// Noise that changes smoothly: linear between knots `knot_s` seconds apart.
inline double SmoothNoise(uint64_t seed, uint64_t stream, int64_t unix_s, int64_t knot_s) {
  const int64_t knot = unix_s / knot_s;
  const double f = static_cast<double>(unix_s % knot_s) / static_cast<double>(knot_s);
  return Noise(seed, stream, knot) * (1 - f) + Noise(seed, stream, knot + 1) * f;
}

// Seconds into a cycle of `period_s`, shifted by a seed-dependent offset.
inline int64_t CyclePosition(uint64_t seed, uint64_t stream, int64_t unix_s, int64_t period_s) {
  const int64_t offset =
      static_cast<int64_t>(NoiseMix(seed ^ stream) % static_cast<uint64_t>(period_s));
  return ((unix_s + offset) % period_s + period_s) % period_s;
}

// Rounds to `decimals` places as devices print them; never yields -0.0.
inline double RoundTo(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale + 0.0;
}

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_SIM_NOISE_H_
