#include "aggregator/query/rollup_windows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "aggregator/query/range_functions.h"
#include "aggregator/storage/storage_layout.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kHour = kHourResolutionMs;
constexpr int64_t kLookback = 5 * 60 * 1000;
constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z, on the hour

// A counter sampled every 10 s over six hours, with what the raw path must
// get right at hour edges: samples exactly on the hour, a reset, a silence
// across an edge longer than the lookback, one shorter, and a late start.
std::vector<SamplePoint> Counter() {
  std::vector<SamplePoint> points;
  double value = 1000;
  for (int64_t t = kT0 + 20 * 60'000; t <= kT0 + 6 * kHour; t += 10'000) {
    const int64_t offset = t - kT0;
    // Silent from 1h50m to 2h10m (longer than the lookback, across 2h) and
    // from 3h58m to 4h01m (shorter, across 4h).
    if (offset > 110 * 60'000 && offset < 130 * 60'000) continue;
    if (offset > 238 * 60'000 && offset < 241 * 60'000) continue;
    value += 0.25 + static_cast<double>(offset % 7000) / 7000;
    if (offset == 3 * kHour + 30 * 60'000) value = 3;  // the meter restarted
    points.push_back({t, value});
  }
  return points;
}

// The raw path's answer: the kernel over the samples in [start, end].
std::optional<double> FromRaw(std::string_view function, const std::vector<SamplePoint>& points,
                              int64_t start, int64_t end) {
  RangeWindow window;
  window.range_start_ms = start;
  window.range_end_ms = end;
  window.eval_time_ms = end;
  auto lo = std::lower_bound(points.begin(), points.end(), start,
                             [](const SamplePoint& p, int64_t t) { return p.timestamp_ms < t; });
  auto hi = std::upper_bound(points.begin(), points.end(), end,
                             [](int64_t t, const SamplePoint& p) { return t < p.timestamp_ms; });
  if (lo == hi) return std::nullopt;
  window.points = std::span<const SamplePoint>(&*lo, static_cast<size_t>(hi - lo));
  if (lo != points.begin() && std::prev(lo)->timestamp_ms >= start - kLookback) {
    window.before = *std::prev(lo);
  }
  return FindRangeKernel(function)(window, {});
}

std::optional<double> FromBuckets(std::string_view function, const std::vector<Rollup>& buckets,
                                  int64_t start, int64_t end) {
  RollupWindow window;
  window.range_start_ms = start;
  window.range_end_ms = end;
  window.lookback_delta_ms = kLookback;
  size_t lo = 0;
  while (lo < buckets.size() && buckets[lo].start_ms < start) ++lo;
  size_t hi = lo;
  while (hi < buckets.size() && buckets[hi].start_ms < end) ++hi;
  window.inside = std::span<const Rollup>(buckets).subspan(lo, hi - lo);
  if (hi < buckets.size() && buckets[hi].start_ms == end) window.at_end = &buckets[hi];
  if (lo > 0 && buckets[lo - 1].start_ms == start - kHour) window.before = &buckets[lo - 1];
  const std::optional<RollupFunction> named = RollupFunctionNamed(function);
  if (!named) {
    ADD_FAILURE() << function << " is not answerable from rollups";
    return std::nullopt;
  }
  return EvalFromRollups(*named, window);
}

void ExpectSame(std::optional<double> raw, std::optional<double> rolled, const std::string& what) {
  ASSERT_EQ(raw.has_value(), rolled.has_value()) << what;
  if (!raw) return;
  EXPECT_NEAR(*rolled, *raw, 1e-9 * std::max(1.0, std::fabs(*raw))) << what;
}

TEST(RollupWindows, EveryAnswerableFunctionEqualsTheRawSamplesOnEveryHourWindow) {
  const std::vector<SamplePoint> points = Counter();
  const std::vector<Rollup> buckets = ComputeRollups(points, kHour);
  int compared = 0;
  for (std::string_view function :
       {"rate", "increase", "delta", "increase_exact", "sum_over_time", "count_over_time",
        "avg_over_time", "min_over_time", "max_over_time", "last_over_time", "present_over_time"}) {
    ASSERT_TRUE(RollupFunctionNamed(function).has_value()) << function;
    for (int64_t hours = 1; hours <= 3; ++hours) {
      for (int64_t end = kT0; end <= kT0 + 7 * kHour; end += kHour) {
        const int64_t start = end - hours * kHour;
        ExpectSame(FromRaw(function, points, start, end),
                   FromBuckets(function, buckets, start, end),
                   std::string(function) + " over " + std::to_string(hours) + "h to " +
                       std::to_string((end - kT0) / kHour) + "h");
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 11 * 3 * 8);
}

TEST(RollupWindows, TheExactIncreaseOfHoursAddsUpToTheDay) {
  const std::vector<SamplePoint> points = Counter();
  const std::vector<Rollup> buckets = ComputeRollups(points, kHour);
  double hours = 0;
  for (int64_t end = kT0 + kHour; end <= kT0 + 6 * kHour; end += kHour) {
    hours += FromBuckets("increase_exact", buckets, end - kHour, end).value_or(0);
  }
  const std::optional<double> whole = FromBuckets("increase_exact", buckets, kT0, kT0 + 6 * kHour);
  ASSERT_TRUE(whole.has_value());
  // The silence across 2h is longer than the lookback: the step over it is
  // in no hour, but is in the six-hour window.
  const auto before = std::find_if(points.begin(), points.end(), [](const SamplePoint& p) {
    return p.timestamp_ms >= kT0 + 2 * kHour;
  });
  const double gap_step = CounterStep(std::prev(before)->value, before->value);
  EXPECT_NEAR(hours + gap_step, *whole, 1e-6);
}

TEST(RollupWindows, OtherFunctionsAreNotAnswerable) {
  for (std::string_view function : {"irate", "deriv", "integrate", "quantile_over_time",
                                    "stddev_over_time", "changes", "resets", "holt_winters"}) {
    EXPECT_FALSE(RollupFunctionNamed(function).has_value()) << function;
  }
}

TEST(RollupWindows, AWindowWithoutSamplesHasNoValue) {
  const std::vector<Rollup> buckets = ComputeRollups(Counter(), kHour);
  EXPECT_FALSE(FromBuckets("sum_over_time", buckets, kT0 + 10 * kHour, kT0 + 11 * kHour));
  EXPECT_FALSE(FromBuckets("increase_exact", buckets, kT0 - 2 * kHour, kT0 - kHour));
}

}  // namespace
}  // namespace wattline::aggregator
