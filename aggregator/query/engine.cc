#include "aggregator/query/engine.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace wattline::aggregator {
namespace {

// Prometheus's texts (ErrTooManySamples, ErrQueryTimeout).
constexpr char kTooManySamples[] =
    "query processing would load too many samples into memory in query execution";
constexpr char kTimedOut[] = "query timed out in expression evaluation";

int64_t SaturatingSub(int64_t a, int64_t b) {
  if (b > 0 && a < std::numeric_limits<int64_t>::min() + b) {
    return std::numeric_limits<int64_t>::min();
  }
  return a - b;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a + b;
}

std::string MatchersToString(const LabelMatchers& matchers) {
  std::string out = "{";
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) out += ',';
    out += matchers[i].ToString();
  }
  return out + "}";
}

// The evaluation times start, start + step, ..., <= end, in unsigned
// arithmetic so that no range of int64 times can overflow.
class Steps {
 public:
  Steps(int64_t start, int64_t end, int64_t step)
      : start_(start),
        step_(static_cast<uint64_t>(step)),
        count_(Distance(start, end) / step_ + 1) {}

  uint64_t count() const { return count_; }
  int64_t At(uint64_t i) const {
    return static_cast<int64_t>(static_cast<uint64_t>(start_) + i * step_);
  }
  // The first step at or after `t`. REQUIRES: t >= start.
  uint64_t FirstAtOrAfter(int64_t t) const {
    const uint64_t distance = Distance(start_, t);
    return distance / step_ + (distance % step_ != 0 ? 1 : 0);
  }

 private:
  static uint64_t Distance(int64_t from, int64_t to) {
    return static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
  }

  int64_t start_;
  uint64_t step_;
  uint64_t count_;
};

// One query's evaluation: its steps, its deadline, its sample count.
class Evaluation {
 public:
  Evaluation(SeriesReader* reader, const Clock* clock, const QueryLimits& limits,
             int64_t lookback_delta_ms, int64_t deadline_ms, int64_t start, int64_t end,
             int64_t step)
      : reader_(reader),
        clock_(clock),
        max_samples_(limits.max_samples),
        lookback_delta_ms_(lookback_delta_ms),
        deadline_ms_(deadline_ms),
        start_(start),
        end_(end),
        steps_(start, end, step) {}

  Result<Matrix> Eval(const Expr& expr) {
    WATTLINE_RETURN_IF_ERROR(CheckDeadline());
    switch (expr.kind) {
      case Expr::Kind::kVectorSelector:
        return EvalVectorSelector(static_cast<const VectorSelector&>(expr));
      case Expr::Kind::kMatrixSelector:
        return EvalMatrixSelector(static_cast<const MatrixSelector&>(expr));
      default:
        break;
    }
    return Status::InvalidArgument("unsupported expression");
  }

 private:
  Status CheckDeadline() const {
    if (clock_->NowMonotonicMs() >= deadline_ms_) return Status::Unavailable(kTimedOut);
    return Status::Ok();
  }

  Result<Matrix> EvalVectorSelector(const VectorSelector& selector) {
    // Only samples newer than (first step - lookback) can be found.
    const int64_t mint = SaturatingAdd(SaturatingSub(start_, lookback_delta_ms_), 1);
    return SelectSeries(selector.matchers, mint, [this](std::vector<SamplePoint> samples) {
      return PointsAtSteps(samples);
    });
  }

  // The raw samples of each series in (t - range, t], t the one evaluation
  // time; stale markers are dropped, as Prometheus drops them.
  Result<Matrix> EvalMatrixSelector(const MatrixSelector& matrix_selector) {
    const int64_t mint = SaturatingAdd(SaturatingSub(end_, matrix_selector.range_ms), 1);
    return SelectSeries(matrix_selector.selector->matchers, mint,
                        [](std::vector<SamplePoint> samples) {
                          std::erase_if(samples,
                                        [](const SamplePoint& p) { return IsStaleNaN(p.value); });
                          return samples;
                        });
  }

  // Reads every series matching `matchers` over [mint, end], turns its
  // samples into points with `to_points`, and keeps the series with points,
  // sorted by labels. Counts what it holds against the sample limit.
  template <typename ToPoints>
  Result<Matrix> SelectSeries(const LabelMatchers& matchers, int64_t mint, ToPoints to_points) {
    Result<std::vector<SeriesRef>> refs = reader_->Select(matchers);
    if (!refs.ok()) {
      return Status::Internal("cannot select series " + MatchersToString(matchers) + ": " +
                              refs.status().message());
    }
    WATTLINE_RETURN_IF_ERROR(CheckDeadline());
    Matrix matrix;
    for (SeriesRef& ref : *refs) {
      Result<std::vector<SamplePoint>> samples = reader_->ReadSamples(ref.id, mint, end_);
      if (!samples.ok()) {
        return Status::Internal("cannot read samples of " + LabelsToString(ref.labels) + ": " +
                                samples.status().message());
      }
      const size_t read = samples->size();
      WATTLINE_RETURN_IF_ERROR(Hold(read));
      std::vector<SamplePoint> points = to_points(std::move(*samples));
      held_ -= static_cast<int64_t>(read);
      WATTLINE_RETURN_IF_ERROR(Hold(points.size()));
      WATTLINE_RETURN_IF_ERROR(CheckDeadline());
      if (!points.empty()) matrix.push_back(Series{std::move(ref.labels), std::move(points)});
    }
    std::sort(matrix.begin(), matrix.end(),
              [](const Series& a, const Series& b) { return a.metric < b.metric; });
    return matrix;
  }

  // Counts `count` more samples held by this query.
  Status Hold(size_t count) {
    held_ += static_cast<int64_t>(count);
    if (held_ > max_samples_) return Status::ResourceExhausted(kTooManySamples);
    return Status::Ok();
  }

  // The point of each step: the newest sample at or before it, unless that
  // sample is lookback old or more, or a stale marker. Visits only the steps
  // where a sample can be visible, so sparse data over many steps is cheap.
  // REQUIRES: `samples` ordered by timestamp.
  std::vector<SamplePoint> PointsAtSteps(const std::vector<SamplePoint>& samples) const {
    std::vector<SamplePoint> points;
    size_t next = 0;  // the first sample after the current step
    for (uint64_t i = 0; i < steps_.count();) {
      const int64_t t = steps_.At(i);
      while (next < samples.size() && samples[next].timestamp_ms <= t) ++next;
      if (next > 0) {
        const SamplePoint& newest = samples[next - 1];
        if (newest.timestamp_ms > SaturatingSub(t, lookback_delta_ms_) &&
            !IsStaleNaN(newest.value)) {
          points.push_back({t, newest.value});
          ++i;
          continue;
        }
      }
      // Nothing is visible until the next sample arrives.
      if (next == samples.size()) break;
      i = std::max(i + 1, steps_.FirstAtOrAfter(samples[next].timestamp_ms));
    }
    return points;
  }

  SeriesReader* const reader_;
  const Clock* const clock_;
  const int64_t max_samples_;
  const int64_t lookback_delta_ms_;
  const int64_t deadline_ms_;
  const int64_t start_;
  const int64_t end_;
  const Steps steps_;
  int64_t held_ = 0;
};

}  // namespace

Engine::Engine(SeriesReader* reader, const Clock* clock, QueryLimits limits,
               int64_t lookback_delta_ms)
    : reader_(reader), clock_(clock), limits_(limits), lookback_delta_ms_(lookback_delta_ms) {}

Result<Vector> Engine::Instant(const Expr& expr, int64_t time_ms,
                               std::optional<int64_t> timeout_ms) const {
  Result<Matrix> matrix = Evaluate(expr, time_ms, time_ms, 1, timeout_ms);
  if (!matrix.ok()) return matrix.status();
  Vector vector;
  vector.reserve(matrix->size());
  for (Series& series : *matrix) {
    const SamplePoint& point = series.points.front();
    vector.push_back(Sample{std::move(series.metric), point.timestamp_ms, point.value});
  }
  return vector;
}

Result<Matrix> Engine::InstantRangeVector(const Expr& expr, int64_t time_ms,
                                          std::optional<int64_t> timeout_ms) const {
  return Evaluate(expr, time_ms, time_ms, 1, timeout_ms);
}

Result<Matrix> Engine::Range(const Expr& expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                             std::optional<int64_t> timeout_ms) const {
  if (expr.type() != ValueType::kVector && expr.type() != ValueType::kScalar) {
    return Status::InvalidArgument("invalid expression type \"range vector\" for range query, "
                                   "must be Scalar or instant Vector");
  }
  return Evaluate(expr, start_ms, end_ms, step_ms, timeout_ms);
}

Result<Matrix> Engine::Evaluate(const Expr& expr, int64_t start_ms, int64_t end_ms,
                                int64_t step_ms, std::optional<int64_t> timeout_ms) const {
  if (end_ms < start_ms) {
    return Status::InvalidArgument("end timestamp must not be before start time");
  }
  if (step_ms <= 0) {
    return Status::InvalidArgument(
        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  const int64_t timeout = std::min(limits_.timeout_ms, timeout_ms.value_or(limits_.timeout_ms));
  const int64_t deadline = SaturatingAdd(clock_->NowMonotonicMs(), std::max<int64_t>(timeout, 0));
  Evaluation evaluation(reader_, clock_, limits_, lookback_delta_ms_, deadline, start_ms, end_ms,
                        step_ms);
  return evaluation.Eval(expr);
}

}  // namespace wattline::aggregator
