#include "aggregator/query/range_functions.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "aggregator/query/instant_functions.h"

// Each kernel follows Prometheus 2.42's promql/functions.go for float
// samples, operation for operation, so that results agree to the last bit
// where the C++ and Go math libraries do.
namespace wattline::aggregator {
namespace {

using Points = std::span<const SamplePoint>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000; }

// Go's time.Duration.Seconds(): whole seconds plus the fraction, which can
// round differently from ms / 1000 in the last bit.
double RangeSeconds(int64_t ms) {
  return static_cast<double>(ms / 1000) + static_cast<double>(ms % 1000 * 1'000'000) / 1e9;
}

// Kahan summation with Neumaier's improvement, as kahanSumInc: adds `inc`
// to `sum`, accumulating the lost low-order bits in `c`.
void KahanAdd(double inc, double& sum, double& c) {
  const double t = sum + inc;
  if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  sum = t;
}

// extrapolatedRate over the window's samples.
std::optional<double> ExtrapolatedRateOfPoints(const RangeWindow& window, bool is_counter,
                                               bool is_rate) {
  const Points points = window.points;
  if (points.size() < 2) return std::nullopt;
  WindowSummary summary;
  summary.first = points.front();
  summary.last = points.back();
  summary.count = static_cast<int64_t>(points.size());
  summary.range_start_ms = window.range_start_ms;
  summary.range_end_ms = window.range_end_ms;
  if (is_counter) {
    double increase = summary.last.value - summary.first.value;
    double prev = summary.first.value;
    for (const SamplePoint& point : points.subspan(1)) {
      if (point.value < prev) increase += prev;  // a reset: the counter restarted from 0
      prev = point.value;
    }
    summary.counter_increase = increase;
  }
  return ExtrapolatedRate(summary, is_counter, is_rate);
}

// instantValue: from the last two samples only.
std::optional<double> InstantValue(const RangeWindow& window, bool is_rate) {
  const Points points = window.points;
  if (points.size() < 2) return std::nullopt;
  const SamplePoint& last = points[points.size() - 1];
  const SamplePoint& previous = points[points.size() - 2];
  double result = is_rate && last.value < previous.value ? last.value  // a counter reset
                                                         : last.value - previous.value;
  const int64_t interval_ms = last.timestamp_ms - previous.timestamp_ms;
  if (interval_ms == 0) return std::nullopt;
  if (is_rate) result /= static_cast<double>(interval_ms) / 1000;
  return result;
}

struct Line {
  double slope;
  double intercept;
};

// linearRegression: least squares over (seconds since intercept_time_ms,
// value). A constant series has slope 0 exactly (NaN when it is infinite).
Line LinearRegression(Points points, int64_t intercept_time_ms) {
  double n = 0, sum_x = 0, c_x = 0, sum_y = 0, c_y = 0;
  double sum_xy = 0, c_xy = 0, sum_x2 = 0, c_x2 = 0;
  const double init_y = points.front().value;
  bool const_y = true;
  for (size_t i = 0; i < points.size(); ++i) {
    const SamplePoint& point = points[i];
    if (const_y && i > 0 && point.value != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(point.timestamp_ms - intercept_time_ms) / 1e3;
    KahanAdd(x, sum_x, c_x);
    KahanAdd(point.value, sum_y, c_y);
    KahanAdd(x * point.value, sum_xy, c_xy);
    KahanAdd(x * x, sum_x2, c_x2);
  }
  if (const_y) {
    if (std::isinf(init_y)) return {kNaN, kNaN};
    return {0, init_y};
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  const double slope = cov_xy / var_x;
  return {slope, sum_y / n - slope * sum_x / n};
}

double ScalarAt(std::span<const double> scalars, size_t i) {
  return i < scalars.size() ? scalars[i] : kNaN;
}

std::optional<double> Rate(const RangeWindow& w, std::span<const double>) {
  return ExtrapolatedRateOfPoints(w, /*is_counter=*/true, /*is_rate=*/true);
}
std::optional<double> Increase(const RangeWindow& w, std::span<const double>) {
  return ExtrapolatedRateOfPoints(w, /*is_counter=*/true, /*is_rate=*/false);
}
std::optional<double> Delta(const RangeWindow& w, std::span<const double>) {
  return ExtrapolatedRateOfPoints(w, /*is_counter=*/false, /*is_rate=*/false);
}
std::optional<double> Irate(const RangeWindow& w, std::span<const double>) {
  return InstantValue(w, /*is_rate=*/true);
}
std::optional<double> Idelta(const RangeWindow& w, std::span<const double>) {
  return InstantValue(w, /*is_rate=*/false);
}

std::optional<double> Deriv(const RangeWindow& w, std::span<const double>) {
  if (w.points.size() < 2) return std::nullopt;
  // Seconds counted from the first sample keep x small (Prometheus #2674).
  return LinearRegression(w.points, w.points.front().timestamp_ms).slope;
}

std::optional<double> PredictLinear(const RangeWindow& w, std::span<const double> scalars) {
  if (w.points.size() < 2) return std::nullopt;
  const Line line = LinearRegression(w.points, w.eval_time_ms);
  return line.slope * ScalarAt(scalars, 0) + line.intercept;
}

std::optional<double> Changes(const RangeWindow& w, std::span<const double>) {
  int changes = 0;
  double prev = w.points.front().value;
  for (const SamplePoint& point : w.points.subspan(1)) {
    const double current = point.value;
    if (current != prev && !(std::isnan(current) && std::isnan(prev))) ++changes;
    prev = current;
  }
  return changes;
}

std::optional<double> Resets(const RangeWindow& w, std::span<const double>) {
  int resets = 0;
  double prev = w.points.front().value;
  for (const SamplePoint& point : w.points.subspan(1)) {
    if (point.value < prev) ++resets;
    prev = point.value;
  }
  return resets;
}

// Double exponential smoothing. The engine rejects sf or tf outside (0, 1)
// with Prometheus's error before calling this.
std::optional<double> HoltWinters(const RangeWindow& w, std::span<const double> scalars) {
  const Points points = w.points;
  if (points.size() < 2) return std::nullopt;
  const double sf = ScalarAt(scalars, 0);
  const double tf = ScalarAt(scalars, 1);
  double s0 = 0;
  double s1 = points[0].value;
  double b = points[1].value - points[0].value;
  for (size_t i = 1; i < points.size(); ++i) {
    const double x = sf * points[i].value;
    // calcTrendValue: the first step keeps the initial trend.
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const double y = (1 - sf) * (s1 + b);
    s0 = std::exchange(s1, x + y);
  }
  return s1;
}

std::optional<double> AvgOverTime(const RangeWindow& w, std::span<const double>) {
  std::optional<double> mean;
  AvgOverTimeOfWindows(std::span(&w, 1), std::span(&mean, 1));
  return mean;
}

std::optional<double> SumOverTime(const RangeWindow& w, std::span<const double>) {
  double sum = 0, c = 0;
  for (const SamplePoint& point : w.points) KahanAdd(point.value, sum, c);
  if (std::isinf(sum)) return sum;
  return sum + c;
}

std::optional<double> CountOverTime(const RangeWindow& w, std::span<const double>) {
  return static_cast<double>(w.points.size());
}

std::optional<double> MinOverTime(const RangeWindow& w, std::span<const double>) {
  double min = w.points.front().value;
  for (const SamplePoint& point : w.points) {
    if (point.value < min || std::isnan(min)) min = point.value;
  }
  return min;
}

std::optional<double> MaxOverTime(const RangeWindow& w, std::span<const double>) {
  double max = w.points.front().value;
  for (const SamplePoint& point : w.points) {
    if (point.value > max || std::isnan(max)) max = point.value;
  }
  return max;
}

std::optional<double> LastOverTime(const RangeWindow& w, std::span<const double>) {
  return w.points.back().value;
}

std::optional<double> PresentOverTime(const RangeWindow&, std::span<const double>) { return 1; }

std::optional<double> QuantileOverTime(const RangeWindow& w, std::span<const double> scalars) {
  std::vector<double> values;
  values.reserve(w.points.size());
  for (const SamplePoint& point : w.points) values.push_back(point.value);
  return Quantile(ScalarAt(scalars, 0), values);
}

// Welford's running variance with Kahan-compensated mean and sum of squares.
double Variance(Points points) {
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (const SamplePoint& point : points) {
    count++;
    const double delta = point.value - (mean + c_mean);
    KahanAdd(delta / count, mean, c_mean);
    KahanAdd(delta * (point.value - (mean + c_mean)), aux, c_aux);
  }
  return (aux + c_aux) / count;
}

std::optional<double> StdvarOverTime(const RangeWindow& w, std::span<const double>) {
  return Variance(w.points);
}
std::optional<double> StddevOverTime(const RangeWindow& w, std::span<const double>) {
  return std::sqrt(Variance(w.points));
}

// --- Wattline's extensions (docs/promql-extensions.md) ---

// A segment longer than this means the meter sent nothing for a while;
// integrate() counts nothing for it rather than guess.
constexpr int64_t kMaxIntegrateSegmentMs = 5 * 60 * 1000;

// The point the exact functions start from, and the points after it. The
// base is the newest point at or before range_start (window.before, or a
// point exactly at range_start); without one, the first point in the window.
struct ExactSpan {
  SamplePoint base;
  Points after;
};

ExactSpan SplitAtBase(const RangeWindow& w) {
  const Points points = w.points;
  if (points.front().timestamp_ms <= w.range_start_ms || !w.before.has_value()) {
    return {points.front(), points.subspan(1)};
  }
  return {*w.before, points};
}

std::optional<double> IncreaseExact(const RangeWindow& w, std::span<const double>) {
  const ExactSpan span = SplitAtBase(w);
  if (span.after.empty()) return std::nullopt;
  double increase = 0;
  double prev = span.base.value;
  for (const SamplePoint& point : span.after) {
    // After a reset the counter restarted from 0, so all of its value is new.
    increase += point.value < prev ? point.value : point.value - prev;
    prev = point.value;
  }
  return increase;
}

std::optional<double> Integrate(const RangeWindow& w, std::span<const double>) {
  const ExactSpan span = SplitAtBase(w);
  if (span.after.empty()) return std::nullopt;
  double integral = 0;
  SamplePoint prev = span.base;
  for (const SamplePoint& point : span.after) {
    const int64_t segment_ms = point.timestamp_ms - prev.timestamp_ms;
    if (segment_ms <= kMaxIntegrateSegmentMs) {
      integral += (prev.value + point.value) / 2 * Seconds(segment_ms);
    }
    prev = point;
  }
  return integral;
}

struct NamedKernel {
  std::string_view name;
  RangeKernel kernel;
  RangeBatchKernel batch = nullptr;
};

constexpr NamedKernel kKernels[] = {
    {"avg_over_time", AvgOverTime, AvgOverTimeOfWindows},
    {"changes", Changes},
    {"count_over_time", CountOverTime},
    {"delta", Delta},
    {"deriv", Deriv},
    {"holt_winters", HoltWinters},
    {"idelta", Idelta},
    {"increase", Increase},
    {"increase_exact", IncreaseExact},
    {"integrate", Integrate},
    {"irate", Irate},
    {"last_over_time", LastOverTime},
    {"max_over_time", MaxOverTime},
    {"min_over_time", MinOverTime},
    {"predict_linear", PredictLinear},
    {"present_over_time", PresentOverTime},
    {"quantile_over_time", QuantileOverTime},
    {"rate", Rate},
    {"resets", Resets},
    {"stddev_over_time", StddevOverTime},
    {"stdvar_over_time", StdvarOverTime},
    {"sum_over_time", SumOverTime},
};

}  // namespace

// extrapolatedRate: the increase (or delta) from the first to the last
// sample, extrapolated towards the window's edges when the samples come close
// to them, per second of the whole range for rate().
std::optional<double> ExtrapolatedRate(const WindowSummary& window, bool is_counter, bool is_rate) {
  if (window.count < 2) return std::nullopt;
  const SamplePoint& first = window.first;
  const SamplePoint& last = window.last;
  double result = is_counter ? window.counter_increase : last.value - first.value;

  double duration_to_start = Seconds(first.timestamp_ms - window.range_start_ms);
  const double duration_to_end = Seconds(window.range_end_ms - last.timestamp_ms);
  const double sampled_interval = Seconds(last.timestamp_ms - first.timestamp_ms);
  const double average_interval = sampled_interval / static_cast<double>(window.count - 1);

  if (is_counter && result > 0 && first.value >= 0) {
    // A counter cannot go below zero: never extrapolate back past the time
    // it would have been zero. 2.42 clamps before the threshold test below;
    // later versions test the threshold first.
    const double duration_to_zero = sampled_interval * (first.value / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }

  // A sample missing where the spacing predicts one means the series starts
  // or ends inside the window: extrapolate only half an interval there.
  const double threshold = average_interval * 1.1;
  double extrapolate_to = sampled_interval;
  extrapolate_to += duration_to_start < threshold ? duration_to_start : average_interval / 2;
  extrapolate_to += duration_to_end < threshold ? duration_to_end : average_interval / 2;

  double factor = extrapolate_to / sampled_interval;
  if (is_rate) factor /= RangeSeconds(window.range_end_ms - window.range_start_ms);
  return result * factor;
}

namespace {

// One window's running mean (Prometheus's funcAvgOverTime): Kahan-summed
// increments v/count - mean/count.
struct RunningMean {
  double mean = 0;
  double count = 0;
  double c = 0;

  void Add(double v) {
    count++;
    if (std::isinf(mean)) {
      // An infinite mean stays as it is, unless a NaN or an infinity of the
      // other sign comes: subtracting it below would turn Inf into NaN.
      if (std::isinf(v) && (mean > 0) == (v > 0)) return;
      if (!std::isinf(v) && !std::isnan(v)) return;
    }
    KahanAdd(v / count - mean / count, mean, c);
  }
  double Result() const { return std::isinf(mean) ? mean : mean + c; }
};

// Two windows' running means side by side, in the lanes of one vector
// (SSE2's divpd on x86-64, NEON on AArch64; GCC and Clang lower the vector
// extension to scalar code where there is neither). The divisions are the
// mean's cost, and a vector divides two lanes in the time of one.
using Double2 = double __attribute__((vector_size(16)));
using Int2 = int64_t __attribute__((vector_size(16)));

Double2 Abs(Double2 x) {
  return reinterpret_cast<Double2>(reinterpret_cast<Int2>(x) & std::numeric_limits<int64_t>::max());
}
bool BothFinite(Double2 x) {
  const Int2 finite = Abs(x) <= std::numeric_limits<double>::max();  // false for NaN
  return (finite[0] & finite[1]) != 0;
}

// RunningMean::Add for both lanes, while both means and values are finite
// (the infinite cases are the scalar code's): the same operations in the
// same order, so each lane's result is the scalar one to the bit.
void AddBoth(Double2 v, Double2& mean, Double2& count, Double2& c) {
  count += 1;
  const Double2 inc = v / count - mean / count;
  const Double2 t = mean + inc;
  const Int2 mean_larger = Abs(mean) >= Abs(inc);
  const Double2 lost_from_inc = (mean - t) + inc;
  const Double2 lost_from_mean = (inc - t) + mean;
  c += mean_larger ? lost_from_inc : lost_from_mean;
  mean = t;
}

// Four windows' first samples, as far as the shortest goes and while every
// value and mean is finite, two vectors of two lanes in lockstep (their
// chains of dependent divisions overlap). Returns how many samples each
// window has taken into `state`.
size_t AddCommonPrefix(std::span<const RangeWindow, 4> windows, std::span<RunningMean, 4> state) {
  size_t shortest = windows[0].points.size();
  for (const RangeWindow& w : windows) shortest = std::min(shortest, w.points.size());
  Double2 mean[2] = {}, count[2] = {}, c[2] = {};
  size_t i = 0;
  for (; i < shortest; ++i) {
    const Double2 v[2] = {{windows[0].points[i].value, windows[1].points[i].value},
                          {windows[2].points[i].value, windows[3].points[i].value}};
    if (!BothFinite(v[0]) || !BothFinite(v[1]) || !BothFinite(mean[0]) || !BothFinite(mean[1])) {
      break;
    }
    AddBoth(v[0], mean[0], count[0], c[0]);
    AddBoth(v[1], mean[1], count[1], c[1]);
  }
  for (size_t l = 0; l < 4; ++l) {
    state[l] = {mean[l / 2][l % 2], count[l / 2][l % 2], c[l / 2][l % 2]};
  }
  return i;
}

}  // namespace

void AvgOverTimeOfWindows(std::span<const RangeWindow> windows,
                          std::span<std::optional<double>> out) {
  constexpr size_t kLanes = 4;
  for (size_t first = 0; first < windows.size(); first += kLanes) {
    const size_t lanes = std::min(kLanes, windows.size() - first);
    RunningMean state[kLanes];
    size_t taken = 0;
    if (lanes == kLanes) {
      taken = AddCommonPrefix(windows.subspan(first).first<kLanes>(), state);
    }
    // The rest of each window, still in lockstep.
    size_t longest = 0;
    for (size_t l = 0; l < lanes; ++l) {
      longest = std::max(longest, windows[first + l].points.size());
    }
    for (size_t i = taken; i < longest; ++i) {
      for (size_t l = 0; l < lanes; ++l) {
        const std::span<const SamplePoint> points = windows[first + l].points;
        if (i < points.size()) state[l].Add(points[i].value);
      }
    }
    for (size_t l = 0; l < lanes; ++l) out[first + l] = state[l].Result();
  }
}

RangeKernel FindRangeKernel(std::string_view name) {
  for (const NamedKernel& entry : kKernels) {
    if (entry.name == name) return entry.kernel;
  }
  return nullptr;
}

RangeBatchKernel FindRangeBatchKernel(std::string_view name) {
  for (const NamedKernel& entry : kKernels) {
    if (entry.name == name) return entry.batch;
  }
  return nullptr;
}

}  // namespace wattline::aggregator
