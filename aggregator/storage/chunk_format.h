// What the parts of the chunk codec (chunk_codec.cc, chunk_zstd.cc) share of
// the format in docs/formats/chunk.md: the tag's encodings, the decimal
// scales, the timestamp delta every encoder writes, and the timestamp rule
// every encoding checks when decoding.
// Internal to the codec; a header so the hot loops inline.
#ifndef WATTLINE_AGGREGATOR_STORAGE_CHUNK_FORMAT_H_
#define WATTLINE_AGGREGATOR_STORAGE_CHUNK_FORMAT_H_

#include <cstdint>
#include <limits>
#include <span>
#include <string>

#include "aggregator/storage/series_reader.h"
#include "common/status.h"

namespace wattline::aggregator::chunk_format {

inline constexpr int kVersion = 1;
enum class ValueEncoding : uint8_t {
  kGorilla = 0,
  kDecimalDelta = 1,
  kDecimalDeltaOfDelta = 2,
  kDecimalZstd = 3,      // written before decimal-zstd-bare; decoded still
  kDecimalZstdBare = 4,
};
inline constexpr uint8_t kLastEncoding = 4;

// Decimal scales 10^0 .. 10^9: meters report at most milli-units of kilo-
// quantities; more digits than that are noise the XOR encoding handles.
inline constexpr int kMaxDecimalExponent = 9;
inline constexpr double kPow10[kMaxDecimalExponent + 1] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                                           1e5, 1e6, 1e7, 1e8, 1e9};

inline Status Invalid(const std::string& what) { return Status::InvalidArgument("chunk: " + what); }

// ts[i] - ts[i - 1], modulo 2^64: any two int64 timestamps.
inline uint64_t Delta(std::span<const SamplePoint> samples, size_t i) {
  return static_cast<uint64_t>(samples[i].timestamp_ms) -
         static_cast<uint64_t>(samples[i - 1].timestamp_ms);
}

// ts += delta, unless the delta is 0 or runs past INT64_MAX: timestamps are
// strictly increasing. Arithmetic modulo 2^64, so a damaged delta cannot
// overflow.
inline bool Advance(int64_t* ts, uint64_t delta) {
  const uint64_t room =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - static_cast<uint64_t>(*ts);
  if (delta == 0 || delta > room) return false;
  *ts = static_cast<int64_t>(static_cast<uint64_t>(*ts) + delta);
  return true;
}

// The value of mantissa `m` (modulo 2^64, as decoded) at scale 10^e.
inline double DecimalValue(uint64_t m, double scale) {
  return static_cast<double>(static_cast<int64_t>(m)) / scale;
}

}  // namespace wattline::aggregator::chunk_format

#endif  // WATTLINE_AGGREGATOR_STORAGE_CHUNK_FORMAT_H_
