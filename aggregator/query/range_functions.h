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

// What rate(), increase() and delta() need of a window's samples, so that
// they can also be answered from rollups (rollup_windows.h).
struct WindowSummary {
  SamplePoint first;
  SamplePoint last;
  int64_t count = 0;
  // From first to last, read as a counter: a drop is a reset.
  double counter_increase = 0;
  int64_t range_start_ms = 0;
  int64_t range_end_ms = 0;
};

// Prometheus's extrapolatedRate over a summary: increase() with `is_counter`,
// rate() with both, delta() with neither. nullopt for fewer than 2 samples.
std::optional<double> ExtrapolatedRate(const WindowSummary& window, bool is_counter, bool is_rate);

// `scalars` are the call's scalar arguments at this step, in call order
// (quantile_over_time's q; predict_linear's t; holt_winters' sf and tf).
// nullopt: the function gives no value for this window (rate() with fewer
// than two samples, for example), and the series has no point at this step.
using RangeKernel = std::optional<double> (*)(const RangeWindow& window,
                                              std::span<const double> scalars);

// The kernel of the range-vector function `name`, or nullptr when `name`
// takes no range vector. absent_over_time has none: it is about which series
// exist, and the engine answers it.
//
// Prometheus's functions follow 2.42 for float samples: rate(), increase()
// and delta() extrapolate as extrapolatedRate does (counter resets, the zero
// point, the 1.1 x average-interval threshold; rate() divides by the whole
// range); the sums, means and variances use Kahan-Neumaier summation, as
// 2.42 does. holt_winters expects 0 < sf < 1 and 0 < tf < 1: the engine
// rejects other factors with Prometheus's error before calling the kernel.
//
// Wattline's extensions (docs/promql-extensions.md), for adjoining windows
// that add up exactly (a day's total is the sum of its hours'):
//   increase_exact  the increase of a counter over (range_start, range_end]:
//                   from the base (the newest of `before` and a point exactly
//                   at range_start; without one, the first point in the
//                   window) it adds cur - prev for every later point, or cur
//                   where cur < prev (the counter restarted from 0). No
//                   extrapolation. nullopt when no point follows the base.
//   integrate       the integral of a gauge in value-seconds (W -> J), by the
//                   trapezoid rule over consecutive samples from the same
//                   base; a segment counts in the window holding its later
//                   sample. A segment longer than 5 minutes is a gap (the
//                   meter was silent) and counts 0. nullopt when no segment
//                   ends in the window; 0 when all that do are gaps.
RangeKernel FindRangeKernel(std::string_view name);

// A range function over many windows at once, out[i] for windows[i] (the
// same size), each result the one-window kernel's to the bit.
using RangeBatchKernel = void (*)(std::span<const RangeWindow> windows,
                                  std::span<std::optional<double>> out);

// The batch kernel of `name` where one is faster than its kernel window by
// window (avg_over_time: AvgOverTimeOfWindows), else nullptr. Only functions
// without scalar arguments have one.
RangeBatchKernel FindRangeBatchKernel(std::string_view name);

// avg_over_time of several windows, out[i] for windows[i] (the same size):
// each window's arithmetic is the kernel's, in the same order, so each
// result is the same to the bit. Four windows go in lockstep, two to a
// vector while their values are finite, so that their chains of dependent
// divisions overlap and a division serves two (one window at a time, the
// divisions were 42% of a day at 1 Hz in one-minute windows).
// avg_over_time's batch kernel; its one-window kernel calls it too.
void AvgOverTimeOfWindows(std::span<const RangeWindow> windows,
                          std::span<std::optional<double>> out);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_RANGE_FUNCTIONS_H_
