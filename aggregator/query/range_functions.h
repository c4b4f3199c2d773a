// The range-vector functions' arithmetic: rate(), increase(), the
// *_over_time family and the rest, each computing one value from one
// series' samples in one window. The engine (engine.cc) finds the window for
// every series and step; these kernels only compute, as Prometheus's
// promql/functions.go does for float samples.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_QUERY_RANGE_FUNCTIONS_H_
#define WATTLINE_AGGREGATOR_QUERY_RANGE_FUNCTIONS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "aggregator/storage/series_reader.h"

namespace wattline::aggregator {

// One series' samples at one evaluation step.
struct RangeWindow {
  // Samples with range_start_ms <= timestamp <= range_end_ms, by timestamp,
  // without stale markers; never empty.
  std::span<const SamplePoint> points;
  // The newest sample older than range_start_ms and no older than
  // range_start_ms - lookback, when there is one. The engine fills it for
  // the extensions only (increase_exact, integrate); Prometheus's own
  // functions never look outside the window.
  std::optional<SamplePoint> before;
  int64_t range_start_ms = 0;  // evaluation time - offset - range
  int64_t range_end_ms = 0;    // evaluation time - offset
  // The step's own time (Prometheus's enh.Ts): predict_linear predicts from
  // it, whatever the offset.
  int64_t eval_time_ms = 0;
};

// `scalars` are the call's scalar arguments at this step, in call order
// (quantile_over_time's q; predict_linear's t; holt_winters' sf and tf).
// nullopt: the function gives no value for this window (rate() with fewer
// than two samples, for example), and the series has no point at this step.
using RangeKernel = std::optional<double> (*)(const RangeWindow& window,
                                              std::span<const double> scalars);

// The kernel of the range-vector function `name`, or nullptr when `name`
// takes no range vector. absent_over_time has none: it is about which series
// exist, and the engine answers it.
RangeKernel FindRangeKernel(std::string_view name);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_RANGE_FUNCTIONS_H_
