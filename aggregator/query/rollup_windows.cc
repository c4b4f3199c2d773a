#include "aggregator/query/rollup_windows.h"

#include <algorithm>
#include <array>
#include <utility>

#include "aggregator/query/range_functions.h"

namespace wattline::aggregator {
namespace {

// The samples of [start, end] as the rollups give them.
struct Span {
  int64_t count = 0;
  SamplePoint first;
  SamplePoint last;
  double counter_increase = 0;  // first to last
  double sum = 0;
  double min = 0;
  double max = 0;
};

std::optional<Span> Summarise(const RollupWindow& window) {
  const bool end_sample =
      window.at_end != nullptr && window.at_end->first_ms == window.range_end_ms;
  if (window.inside.empty() && !end_sample) return std::nullopt;
  Span span;
  if (!window.inside.empty()) {
    const Rollup& first = window.inside.front();
    const Rollup& last = window.inside.back();
    span.first = {first.first_ms, first.first};
    span.last = {last.last_ms, last.last};
    span.counter_increase = RollupIncrease(window.inside);
    span.min = first.min;
    span.max = first.max;
    for (const Rollup& bucket : window.inside) {
      span.count += bucket.count;
      span.sum += bucket.sum;
      span.min = std::min(span.min, bucket.min);
      span.max = std::max(span.max, bucket.max);
    }
  }
  if (end_sample) {
    const SamplePoint sample{window.at_end->first_ms, window.at_end->first};
    if (span.count == 0) {
      span.first = sample;
      span.min = span.max = sample.value;
    } else {
      span.counter_increase += CounterStep(span.last.value, sample.value);
      span.min = std::min(span.min, sample.value);
      span.max = std::max(span.max, sample.value);
    }
    span.last = sample;
    span.sum += sample.value;
    ++span.count;
  }
  return span;
}

// increase_exact over (start, end]: from the base (a sample exactly at start,
// else the newest before it within the lookback) through every later sample.
std::optional<double> IncreaseExact(const RollupWindow& window, const Span& span) {
  const bool starts_on_edge =
      !window.inside.empty() && window.inside.front().first_ms == window.range_start_ms;
  int64_t after_base = span.count;  // samples in (start, end] after the base
  double increase = span.counter_increase;
  if (starts_on_edge) {
    --after_base;  // the sample at start is the base
  } else if (window.before != nullptr &&
             window.before->last_ms >= window.range_start_ms - window.lookback_delta_ms) {
    increase += CounterStep(window.before->last, span.first.value);
  } else {
    --after_base;  // the first sample in the window is the base
  }
  if (after_base <= 0) return std::nullopt;
  return increase;
}

constexpr std::array<std::pair<std::string_view, RollupFunction>, 11> kByName = {{
    {"rate", RollupFunction::kRate},
    {"increase", RollupFunction::kIncrease},
    {"delta", RollupFunction::kDelta},
    {"increase_exact", RollupFunction::kIncreaseExact},
    {"sum_over_time", RollupFunction::kSumOverTime},
    {"count_over_time", RollupFunction::kCountOverTime},
    {"avg_over_time", RollupFunction::kAvgOverTime},
    {"min_over_time", RollupFunction::kMinOverTime},
    {"max_over_time", RollupFunction::kMaxOverTime},
    {"last_over_time", RollupFunction::kLastOverTime},
    {"present_over_time", RollupFunction::kPresentOverTime},
}};

}  // namespace

std::optional<RollupFunction> RollupFunctionNamed(std::string_view name) {
  for (const auto& [known, function] : kByName) {
    if (known == name) return function;
  }
  return std::nullopt;
}

std::optional<double> EvalFromRollups(RollupFunction function, const RollupWindow& window) {
  const std::optional<Span> span = Summarise(window);
  if (!span) return std::nullopt;
  switch (function) {
    case RollupFunction::kIncreaseExact:
      return IncreaseExact(window, *span);
    case RollupFunction::kRate:
    case RollupFunction::kIncrease:
    case RollupFunction::kDelta: {
      WindowSummary summary;
      summary.first = span->first;
      summary.last = span->last;
      summary.count = span->count;
      summary.counter_increase = span->counter_increase;
      summary.range_start_ms = window.range_start_ms;
      summary.range_end_ms = window.range_end_ms;
      return ExtrapolatedRate(summary, /*is_counter=*/function != RollupFunction::kDelta,
                              /*is_rate=*/function == RollupFunction::kRate);
    }
    case RollupFunction::kSumOverTime:
      return span->sum;
    case RollupFunction::kCountOverTime:
      return static_cast<double>(span->count);
    case RollupFunction::kAvgOverTime:
      return span->sum / static_cast<double>(span->count);
    case RollupFunction::kMinOverTime:
      return span->min;
    case RollupFunction::kMaxOverTime:
      return span->max;
    case RollupFunction::kLastOverTime:
      return span->last.value;
    case RollupFunction::kPresentOverTime:
      return 1;
  }
  return std::nullopt;
}

}  // namespace wattline::aggregator
