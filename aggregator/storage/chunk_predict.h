// The predictors of the chunk codec's zstd encodings (docs/formats/chunk.md,
// "predictor"): each predicts a scaled decimal from those before it, and the
// zstd stream holds what the prediction missed by. Shared, as templates, by
// the encoder (which tries them) and the decoder (whose hot loop they are).
// Arithmetic modulo 2^64, as the decoder's on damaged input; for mantissas
// within 2^53, as the encoder's are, nothing wraps.
// Internal to the codec (chunk_zstd.cc).
#ifndef WATTLINE_AGGREGATOR_STORAGE_CHUNK_PREDICT_H_
#define WATTLINE_AGGREGATOR_STORAGE_CHUNK_PREDICT_H_

#include <cstdint>

#include "aggregator/storage/chunk_bits.h"

namespace wattline::aggregator::chunk_predict {

// The predictor byte. 1 .. kLastMean are decimal-zstd's (encoding 3) and
// decimal-zstd-bare's (encoding 4); the others only encoding 4's.
//   1 previous        m[i-1]                      (0 for m[0], as all)
//   2 linear          2 m[i-1] - m[i-2]           (from i = 2; before, as 1)
//   3, 4, 5 mean      floor(sum of the last k / k), k = 2, 4, 8 (from i = k;
//                     before, as 1): white noise about a slow trend costs
//                     its own spread, not the spread of its differences
//   6 trend           floor((13 a - 5 b) / 32), a the sum of m[i-4 .. i-1],
//                     b of m[i-8 .. i-5] (from i = 8; before, as 1): the mean
//                     of the last four carried along the slope from the
//                     four before, for noise on a ramp
//   64 + 8 s + t      smoothed (s 1 .. 7, t 0 .. 7): the exponentially
//                     weighted mean with weight 2^-s, in 1/256 units; when
//                     t > 0 and zigzag(m[i] - prediction) >= 2^(t+1), the
//                     mean restarts at m[i]: a step is followed at once
//                     instead of over 2^s samples
inline constexpr int kLastMean = 5;
inline constexpr int kTrend = 6;
inline constexpr int kSmoothedBase = 64;
inline constexpr int kSmoothedLast = kSmoothedBase + 8 * 7 + 7;

inline bool Smoothed(int predictor) {
  return predictor >= kSmoothedBase + 8 && predictor <= kSmoothedLast;
}
// Whether encoding 4 (bare) or 3 has the predictor.
inline bool Known(int predictor, bool bare) {
  if (predictor >= 1 && predictor <= kLastMean) return true;
  return bare && (predictor == kTrend || Smoothed(predictor));
}

inline uint64_t ShiftRight(uint64_t v, int bits) {
  return static_cast<uint64_t>(static_cast<int64_t>(v) >> bits);  // floor
}

// Calls `step(i, prediction)` for i = 0 .. n-1; it returns m[i].
template <int kPredictor, typename Step>
void Predict(uint32_t n, Step step) {
  constexpr int kLogMean = kPredictor - 2;
  constexpr uint32_t kMean = kPredictor >= 3 && kPredictor <= kLastMean ? 1u << kLogMean : 0;
  uint64_t ring[8] = {};
  uint64_t sum = 0;  // of m[i-kMean .. i-1]
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t prediction = i > 0 ? ring[(i - 1) & 7] : 0;
    if constexpr (kPredictor == 2) {
      if (i >= 2) prediction = 2 * ring[(i - 1) & 7] - ring[(i - 2) & 7];
    }
    if constexpr (kMean > 0) {
      if (i >= kMean) prediction = ShiftRight(sum, kLogMean);
    }
    if constexpr (kPredictor == kTrend) {
      if (i >= 8) {
        const uint64_t a =
            ring[(i - 1) & 7] + ring[(i - 2) & 7] + ring[(i - 3) & 7] + ring[(i - 4) & 7];
        const uint64_t b =
            ring[(i - 5) & 7] + ring[(i - 6) & 7] + ring[(i - 7) & 7] + ring[(i - 8) & 7];
        prediction = ShiftRight(13 * a - 5 * b, 5);
      }
    }
    const uint64_t m = step(i, prediction);
    if constexpr (kMean > 0) {
      sum += m;
      if (i >= kMean) sum -= ring[(i - kMean) & 7];
    }
    ring[i & 7] = m;
  }
}

inline constexpr int kSmoothedFraction = 8;  // bits below the unit

template <typename Step>
void PredictSmoothed(uint32_t n, int weight_shift, int restart_bits, Step step) {
  uint64_t mean = 0;  // in 1/256 units
  const uint64_t restart = restart_bits > 0 ? uint64_t{1} << (restart_bits + 1) : ~uint64_t{0};
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t prediction = i > 0 ? ShiftRight(mean, kSmoothedFraction) : 0;
    const uint64_t m = step(i, prediction);
    const uint64_t scaled = m << kSmoothedFraction;
    if (i == 0 || chunk_bits::ZigZag(static_cast<int64_t>(m - prediction)) >= restart) {
      mean = scaled;
    } else {
      mean += ShiftRight(scaled - mean, weight_shift);
    }
  }
}

// REQUIRES: Known(predictor, true).
template <typename Step>
void PredictWith(int predictor, uint32_t n, Step step) {
  switch (predictor) {
    case 1:
      return Predict<1>(n, step);
    case 2:
      return Predict<2>(n, step);
    case 3:
      return Predict<3>(n, step);
    case 4:
      return Predict<4>(n, step);
    case 5:
      return Predict<5>(n, step);
    case kTrend:
      return Predict<kTrend>(n, step);
    default:
      return PredictSmoothed(n, (predictor - kSmoothedBase) >> 3, (predictor - kSmoothedBase) & 7,
                             step);
  }
}

}  // namespace wattline::aggregator::chunk_predict

#endif  // WATTLINE_AGGREGATOR_STORAGE_CHUNK_PREDICT_H_
