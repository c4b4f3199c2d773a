// Range functions answered from hour or minute rollups (rollup.h) instead
// of raw samples, where the answer is the same: for windows whose ends are
// on the hour, as Grafana's hourly and daily energy panels ask for them, or
// on the minute, as a day's panel at a one-minute interval asks. A day of
// one series at 10 s is 8,640 samples to decode, or 25 hour buckets; at
// 1 Hz, 86,400 samples or 1,441 minute buckets.
//
// A range window [start, end] (Prometheus 2 includes both ends) holds the
// samples of the buckets starting in [start, end), plus the one sample
// exactly at `end` if there is one: it is then the first sample of the
// bucket starting at `end`, at first_ms == end. The exact functions'
// window (start, end] and base (the newest sample at or before start, no
// older than the lookback) come from the same buckets and the one before.
//
// The results equal the raw samples' up to the order of floating-point
// additions: rate(), increase() and delta() through the same
// ExtrapolatedRate; sums and averages without Kahan's compensation.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_QUERY_ROLLUP_WINDOWS_H_
#define WATTLINE_AGGREGATOR_QUERY_ROLLUP_WINDOWS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "aggregator/storage/rollup.h"

namespace wattline::aggregator {

// The range functions that can be answered from rollups.
enum class RollupFunction {
  kRate,
  kIncrease,
  kDelta,
  kIncreaseExact,
  kSumOverTime,
  kCountOverTime,
  kAvgOverTime,
  kMinOverTime,
  kMaxOverTime,
  kLastOverTime,
  kPresentOverTime,
};

// The rollup function named `name`, or nullopt if it is not answerable from
// rollups. Resolved once per query, not once per window.
std::optional<RollupFunction> RollupFunctionNamed(std::string_view name);

// One series' buckets around one window.
struct RollupWindow {
  std::span<const Rollup> inside;  // buckets starting in [start, end)
  const Rollup* at_end = nullptr;  // the bucket starting at end, if any
  const Rollup* before = nullptr;  // the bucket ending at start, if any
  int64_t range_start_ms = 0;      // on a bucket's start
  int64_t range_end_ms = 0;        // on a bucket's start
  int64_t lookback_delta_ms = 0;
};

// nullopt where the function gives no value for the window, as over raw
// samples. REQUIRES: every bucket's values finite (the caller reads raw samples otherwise: a NaN's
// place in min/max cannot be told from a bucket).
std::optional<double> EvalFromRollups(RollupFunction function, const RollupWindow& window);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_ROLLUP_WINDOWS_H_
