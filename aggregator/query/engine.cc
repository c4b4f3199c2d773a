#include "aggregator/query/engine.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aggregator/query/aggregation.h"
#include "aggregator/query/binary_ops.h"
#include "aggregator/query/function_table.h"
#include "aggregator/query/histogram_quantile.h"
#include "aggregator/query/instant_functions.h"
#include "aggregator/query/parallel_reads.h"
#include "aggregator/query/range_functions.h"
#include "aggregator/query/rollup_windows.h"
#include "aggregator/query/step_vector.h"
#include "aggregator/storage/rollup.h"
#include "aggregator/storage/storage_layout.h"

namespace wattline::aggregator {
namespace {

// Prometheus's texts (ErrTooManySamples, ErrQueryTimeout).
constexpr char kTooManySamples[] =
    "query processing would load too many samples into memory in query execution";
constexpr char kTimedOut[] = "query timed out in expression evaluation";
constexpr char kSameLabelset[] = "vector cannot contain metrics with the same labelset";
// Reads of several series spanning this long or longer are spread over a
// few threads (parallel_reads.h); shorter ones are a chunk or two each, read
// in microseconds once cached, for which a thread costs more than it saves.
constexpr int64_t kParallelReadSpanMs = 6 * 3600 * 1000;

int64_t SaturatingSub(int64_t a, int64_t b) {
  if (b > 0 && a < std::numeric_limits<int64_t>::min() + b) {
    return std::numeric_limits<int64_t>::min();
  }
  if (b < 0 && a > std::numeric_limits<int64_t>::max() + b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a - b;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  if (b < 0 && a < std::numeric_limits<int64_t>::min() - b) {
    return std::numeric_limits<int64_t>::min();
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

const LabelsRef& EmptyLabels() {
  static const LabelsRef* empty = new LabelsRef(std::make_shared<Labels>());
  return *empty;
}

// The functions whose value depends on the step even when their arguments
// do not (Prometheus's AtModifierUnsafeFunctions).
bool IsStepDependentFunction(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "days_in_month", "day_of_month", "day_of_week",    "day_of_year", "hour",
      "minute",        "month",        "predict_linear", "time",        "year"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// Whether `expr` gives the same result at every step (Prometheus's
// preprocessExprHelper): it then is evaluated once and its result repeated.
bool IsStepInvariant(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::kNumberLiteral:
    case Expr::Kind::kStringLiteral:
      return true;
    case Expr::Kind::kParen:
      return IsStepInvariant(*static_cast<const ParenExpr&>(expr).expr);
    case Expr::Kind::kUnary:
      return IsStepInvariant(*static_cast<const UnaryExpr&>(expr).expr);
    case Expr::Kind::kBinary: {
      const auto& binary = static_cast<const BinaryExpr&>(expr);
      return IsStepInvariant(*binary.lhs) && IsStepInvariant(*binary.rhs);
    }
    case Expr::Kind::kAggregate:
      return IsStepInvariant(*static_cast<const AggregateExpr&>(expr).expr);
    case Expr::Kind::kCall: {
      const auto& call = static_cast<const Call&>(expr);
      if (IsStepDependentFunction(call.function->name)) return false;
      return std::all_of(call.args.begin(), call.args.end(),
                         [](const ExprPtr& arg) { return IsStepInvariant(*arg); });
    }
    case Expr::Kind::kVectorSelector:
      return static_cast<const VectorSelector&>(expr).at.has_value();
    case Expr::Kind::kMatrixSelector:
      return static_cast<const MatrixSelector&>(expr).selector->at.has_value();
    case Expr::Kind::kSubquery:
      return static_cast<const SubqueryExpr&>(expr).at.has_value();
  }
  return false;
}

bool IsLiteral(const Expr& expr) {
  const Expr& inner = Unparen(expr);
  return inner.kind == Expr::Kind::kNumberLiteral || inner.kind == Expr::Kind::kStringLiteral;
}

// absent()'s labels: the selector's equality matchers, except the metric
// name and labels matched more than once (Prometheus's
// createLabelsForAbsentFunction).
LabelsRef AbsentLabels(const Expr& arg) {
  const Expr& inner = Unparen(arg);
  const VectorSelector* selector = nullptr;
  if (inner.kind == Expr::Kind::kVectorSelector) {
    selector = &static_cast<const VectorSelector&>(inner);
  } else if (inner.kind == Expr::Kind::kMatrixSelector) {
    selector = static_cast<const MatrixSelector&>(inner).selector.get();
  }
  auto labels = std::make_shared<Labels>();
  if (selector == nullptr) return labels;
  std::vector<std::string> seen;
  for (const LabelMatcher& matcher : selector->matchers) {
    if (matcher.name() == kMetricNameLabel) continue;
    const bool repeated = std::find(seen.begin(), seen.end(), matcher.name()) != seen.end();
    std::erase_if(*labels, [&](const Label& l) { return l.name == matcher.name(); });
    if (matcher.type() == LabelMatcher::Type::kEqual && !repeated) {
      labels->push_back({matcher.name(), matcher.value()});
    }
    seen.push_back(matcher.name());
  }
  std::sort(labels->begin(), labels->end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  return labels;
}

// What every evaluation of one query shares.
struct QueryContext {
  SeriesReader* reader;
  const Clock* clock;
  int64_t max_samples;
  int64_t lookback_delta_ms;
  int64_t deadline_ms;
  int64_t query_start_ms;  // @ start()
  int64_t query_end_ms;    // @ end()
  int64_t held = 0;        // samples held by live values

  Status CheckDeadline() const {
    if (clock->NowMonotonicMs() >= deadline_ms) return Status::Unavailable(kTimedOut);
    return Status::Ok();
  }
};

// Samples counted against the query's limit while a value is alive.
class Budget {
 public:
  Budget() = default;
  explicit Budget(QueryContext* context) : context_(context) {}
  Budget(Budget&& other) noexcept : context_(other.context_), count_(other.count_) {
    other.count_ = 0;
  }
  Budget& operator=(Budget&& other) noexcept {
    Release();
    context_ = other.context_;
    count_ = other.count_;
    other.count_ = 0;
    return *this;
  }
  ~Budget() { Release(); }

  Status Hold(size_t count) {
    count_ += static_cast<int64_t>(count);
    context_->held += static_cast<int64_t>(count);
    if (context_->held > context_->max_samples) {
      return Status::ResourceExhausted(kTooManySamples);
    }
    return Status::Ok();
  }

 private:
  void Release() {
    if (context_ != nullptr) context_->held -= count_;
    count_ = 0;
  }

  QueryContext* context_ = nullptr;
  int64_t count_ = 0;
};

// An expression's value over all steps of an evaluation.
struct Value {
  ValueType type = ValueType::kNone;
  // Vectors and scalars: points at the steps; range vectors: raw points.
  StepMatrix matrix;
  std::string string;
  Budget budget;
};

size_t PointCount(const StepMatrix& matrix) {
  size_t count = 0;
  for (const StepSeries& series : matrix) count += series.points.size();
  return count;
}

// One evaluation: a query's steps, or a subquery's.
class Evaluation {
 public:
  Evaluation(QueryContext* context, int64_t start, int64_t end, int64_t interval)
      : context_(context),
        start_(start),
        end_(end),
        interval_(interval),
        steps_(start, end, interval) {}

  Result<Value> Eval(const Expr& expr) {
    WATTLINE_RETURN_IF_ERROR(context_->CheckDeadline());
    if (steps_.count() > 1 && !IsLiteral(expr) && IsStepInvariant(expr)) {
      return EvalOnceAndRepeat(expr);
    }
    Result<Value> value = EvalNode(expr);
    if (!value.ok()) return value;
    WATTLINE_RETURN_IF_ERROR(Account(*value));
    return value;
  }

 private:
  // Per step, one argument's value: the samples of a vector, a scalar.
  struct StepArg {
    StepVector samples;
    std::vector<uint32_t> series;  // samples[i] is from the value's series[i]
    double scalar = 0;
  };
  using StepFunction = std::function<Result<StepVector>(std::span<StepArg> args, int64_t t)>;

  Result<Value> EvalOnceAndRepeat(const Expr& expr) {
    Evaluation once(context_, start_, start_, interval_);
    Result<Value> value = once.Eval(expr);
    if (!value.ok() || value->type == ValueType::kMatrix || value->type == ValueType::kString) {
      return value;
    }
    for (StepSeries& series : value->matrix) {
      if (series.points.empty()) continue;
      const double v = series.points.front().value;
      series.points.clear();
      series.points.reserve(steps_.count());
      for (uint64_t i = 0; i < steps_.count(); ++i) series.points.push_back({steps_.At(i), v});
    }
    WATTLINE_RETURN_IF_ERROR(Account(*value));
    return value;
  }

  // Counts `value`'s points, as they are now, against the query's limit for
  // as long as it lives.
  Status Account(Value& value) {
    value.budget = Budget(context_);
    return value.budget.Hold(PointCount(value.matrix));
  }

  Result<Value> EvalNode(const Expr& expr) {
    switch (expr.kind) {
      case Expr::Kind::kNumberLiteral:
        return ScalarValue(
            [v = static_cast<const NumberLiteral&>(expr).value](int64_t) { return v; });
      case Expr::Kind::kStringLiteral: {
        Value value;
        value.type = ValueType::kString;
        value.string = static_cast<const StringLiteral&>(expr).value;
        return value;
      }
      case Expr::Kind::kParen:
        return Eval(*static_cast<const ParenExpr&>(expr).expr);
      case Expr::Kind::kUnary:
        return EvalUnary(static_cast<const UnaryExpr&>(expr));
      case Expr::Kind::kBinary:
        return EvalBinary(static_cast<const BinaryExpr&>(expr));
      case Expr::Kind::kAggregate:
        return EvalAggregate(static_cast<const AggregateExpr&>(expr));
      case Expr::Kind::kCall:
        return EvalCall(static_cast<const Call&>(expr));
      case Expr::Kind::kVectorSelector:
        return EvalVectorSelector(static_cast<const VectorSelector&>(expr), false);
      case Expr::Kind::kMatrixSelector:
        return EvalMatrixSelector(static_cast<const MatrixSelector&>(expr));
      case Expr::Kind::kSubquery:
        return EvalSubquery(static_cast<const SubqueryExpr&>(expr));
    }
    return Status::InvalidArgument("unsupported expression");
  }

  template <typename At>
  Value ScalarValue(At value_at) const {
    Value value;
    value.type = ValueType::kScalar;
    StepSeries series{EmptyLabels(), {}};
    series.points.reserve(steps_.count());
    for (uint64_t i = 0; i < steps_.count(); ++i) {
      const int64_t t = steps_.At(i);
      series.points.push_back({t, value_at(t)});
    }
    value.matrix.push_back(std::move(series));
    return value;
  }

  // The time data is read at for step `t`: the @ time or t, less the offset.
  int64_t ReferenceTime(int64_t t, const std::optional<AtModifier>& at, int64_t offset_ms) const {
    int64_t base = t;
    if (at) {
      switch (at->kind) {
        case AtModifier::Kind::kTimestamp:
          base = at->timestamp_ms;
          break;
        case AtModifier::Kind::kStart:
          base = context_->query_start_ms;
          break;
        case AtModifier::Kind::kEnd:
          base = context_->query_end_ms;
          break;
      }
    }
    return SaturatingSub(base, offset_ms);
  }

  // Every series matching `matchers`, in label order.
  Result<std::vector<SeriesRef>> SelectSeries(const LabelMatchers& matchers) {
    Result<std::vector<SeriesRef>> refs = context_->reader->Select(matchers);
    if (!refs.ok()) {
      return Status::Internal("cannot select series " + MatchersToString(matchers) + ": " +
                              refs.status().message());
    }
    return refs;
  }

  // The samples of series `id` in [mint, maxt], stale markers kept, not yet
  // counted. Safe to call from several threads at once.
  Result<std::vector<SamplePoint>> ReadRaw(SeriesId id, const Labels& labels, int64_t mint,
                                           int64_t maxt) const {
    Result<std::vector<SamplePoint>> samples = context_->reader->ReadSamples(id, mint, maxt);
    if (!samples.ok()) {
      return Status::Internal("cannot read samples of " + LabelsToString(labels) + ": " +
                              samples.status().message());
    }
    return samples;
  }

  // ReadRaw, counted in `budget`.
  Result<std::vector<SamplePoint>> ReadSamplesOf(SeriesId id, const Labels& labels, int64_t mint,
                                                 int64_t maxt, Budget& budget) {
    Result<std::vector<SamplePoint>> samples = ReadRaw(id, labels, mint, maxt);
    if (!samples.ok()) return samples;
    WATTLINE_RETURN_IF_ERROR(context_->CheckDeadline());
    WATTLINE_RETURN_IF_ERROR(budget.Hold(samples->size()));
    return samples;
  }

  // Reads every series matching `matchers` over [mint, maxt], in label
  // order, stale markers kept. Long ranges of several series are read a
  // batch at a time on several threads (parallel_reads.h).
  Result<std::vector<std::pair<SeriesRef, std::vector<SamplePoint>>>> ReadSeries(
      const LabelMatchers& matchers, int64_t mint, int64_t maxt, Budget& budget) {
    Result<std::vector<SeriesRef>> refs = SelectSeries(matchers);
    if (!refs.ok()) return refs.status();
    std::vector<std::pair<SeriesRef, std::vector<SamplePoint>>> out;
    out.reserve(refs->size());
    const bool parallel = SaturatingSub(maxt, mint) >= kParallelReadSpanMs;
    const size_t batch = parallel ? kReadBatchSeries : 1;
    for (size_t first = 0; first < refs->size(); first += batch) {
      const size_t n = std::min(batch, refs->size() - first);
      std::vector<std::optional<Result<std::vector<SamplePoint>>>> read(n);
      auto read_one = [&](size_t i) {
        const SeriesRef& ref = (*refs)[first + i];
        read[i].emplace(ReadRaw(ref.id, ref.labels, mint, maxt));
      };
      ReadInParallel(n, read_one);
      for (size_t i = 0; i < n; ++i) {
        if (!read[i]->ok()) return read[i]->status();
        WATTLINE_RETURN_IF_ERROR(context_->CheckDeadline());
        WATTLINE_RETURN_IF_ERROR(budget.Hold((*read[i])->size()));
        out.emplace_back(std::move((*refs)[first + i]), std::move(*read[i]).value());
      }
    }
    return out;
  }

  // Range functions leave stale markers out, as Prometheus does.
  static void DropStaleMarkers(std::vector<SamplePoint>& samples) {
    std::erase_if(samples, [](const SamplePoint& p) { return IsStaleNaN(p.value); });
  }

  // At each step, the newest sample at or before the reference time and no
  // more than the lookback older (both ends included, as Prometheus 2). With
  // `sample_times`, the value is the sample's own time in seconds: what
  // timestamp() reports for a selector.
  Result<Value> EvalVectorSelector(const VectorSelector& selector, bool sample_times) {
    const int64_t lookback = context_->lookback_delta_ms;
    const int64_t first_ref = ReferenceTime(start_, selector.at, selector.offset_ms);
    const int64_t last_ref = ReferenceTime(end_, selector.at, selector.offset_ms);
    Budget reading(context_);
    auto read =
        ReadSeries(selector.matchers, SaturatingSub(first_ref, lookback), last_ref, reading);
    if (!read.ok()) return read.status();
    Value value;
    value.type = ValueType::kVector;
    for (auto& [ref, samples] : *read) {
      StepSeries series{std::make_shared<Labels>(std::move(ref.labels)), {}};
      size_t next = 0;  // the first sample after the reference time
      for (uint64_t i = 0; i < steps_.count(); ++i) {
        const int64_t t = steps_.At(i);
        const int64_t reference = ReferenceTime(t, selector.at, selector.offset_ms);
        while (next < samples.size() && samples[next].timestamp_ms <= reference) ++next;
        if (next == 0) continue;
        const SamplePoint& newest = samples[next - 1];
        if (newest.timestamp_ms < SaturatingSub(reference, lookback)) continue;
        if (IsStaleNaN(newest.value)) continue;
        series.points.push_back(
            {t, sample_times ? static_cast<double>(newest.timestamp_ms) / 1000 : newest.value});
      }
      samples = {};
      if (!series.points.empty()) value.matrix.push_back(std::move(series));
    }
    return value;
  }

  // A range vector as a query's result: each series' samples in the window
  // of the (single) evaluation time.
  Result<Value> EvalMatrixSelector(const MatrixSelector& matrix_selector) {
    const VectorSelector& selector = *matrix_selector.selector;
    const int64_t maxt = ReferenceTime(start_, selector.at, selector.offset_ms);
    const int64_t mint = SaturatingSub(maxt, matrix_selector.range_ms);
    Budget reading(context_);
    auto read = ReadSeries(selector.matchers, mint, maxt, reading);
    if (!read.ok()) return read.status();
    Value value;
    value.type = ValueType::kMatrix;
    for (auto& [ref, samples] : *read) {
      DropStaleMarkers(samples);
      if (samples.empty()) continue;
      value.matrix.push_back({std::make_shared<Labels>(std::move(ref.labels)), std::move(samples)});
    }
    return value;
  }

  // expr[range:step]: expr evaluated at the multiples of step in
  // [t - offset - range, t - offset], for the first to the last step, and
  // `extend_back_ms` before that (the extensions' base before the window).
  Result<Value> EvalSubquery(const SubqueryExpr& subquery, int64_t extend_back_ms = 0) {
    const int64_t step = subquery.step_ms > 0 ? subquery.step_ms : kDefaultSubqueryStepMs;
    const int64_t first = SaturatingSub(ReferenceTime(start_, subquery.at, subquery.offset_ms),
                                        SaturatingAdd(subquery.range_ms, extend_back_ms));
    const int64_t last = ReferenceTime(end_, subquery.at, subquery.offset_ms);
    // The first multiple of the step at or after `first`.
    int64_t inner_start = first / step * step;
    if (inner_start < first) inner_start = SaturatingAdd(inner_start, step);
    Value value;
    value.type = ValueType::kMatrix;
    if (inner_start > last) return value;
    Evaluation inner(context_, inner_start, last, step);
    Result<Value> result = inner.Eval(*subquery.expr);
    if (!result.ok()) return result.status();
    value.matrix = std::move(result->matrix);
    return value;
  }

  Result<Value> EvalUnary(const UnaryExpr& unary) {
    Result<Value> value = Eval(*unary.expr);
    if (!value.ok() || unary.op != TokenType::kSub) return value;
    for (StepSeries& series : value->matrix) {
      if (value->type == ValueType::kVector) series.metric = DropMetricName(series.metric);
      for (SamplePoint& point : series.points) point.value = -point.value;
    }
    if (value->type == ValueType::kVector && HasSameLabelset(value->matrix)) {
      return Status::FailedPrecondition(kSameLabelset);
    }
    return value;
  }

  static bool HasSameLabelset(const StepMatrix& matrix) {
    StepVector metrics;
    metrics.reserve(matrix.size());
    for (const StepSeries& series : matrix) metrics.push_back({series.metric, 0});
    return ContainsSameLabelset(metrics);
  }

  Result<Value> EvalBinary(const BinaryExpr& binary) {
    const ValueType lt = binary.lhs->type();
    const ValueType rt = binary.rhs->type();
    const Expr* args[] = {binary.lhs.get(), binary.rhs.get()};
    const TokenType op = binary.op;
    if (lt == ValueType::kScalar && rt == ValueType::kScalar) {
      Result<Value> value =
          RangeEval(args, [op](std::span<StepArg> v, int64_t) -> Result<StepVector> {
            return StepVector{{EmptyLabels(), ScalarBinop(op, v[0].scalar, v[1].scalar)}};
          });
      if (value.ok()) value->type = ValueType::kScalar;
      return value;
    }
    DerivedLabels without_name;
    if (lt == ValueType::kVector && rt == ValueType::kScalar) {
      return RangeEval(args, [&](std::span<StepArg> v, int64_t) -> Result<StepVector> {
        return VectorScalarBinop(op, v[0].samples, v[1].scalar, false, binary.return_bool,
                                 without_name);
      });
    }
    if (lt == ValueType::kScalar && rt == ValueType::kVector) {
      return RangeEval(args, [&](std::span<StepArg> v, int64_t) -> Result<StepVector> {
        return VectorScalarBinop(op, v[1].samples, v[0].scalar, true, binary.return_bool,
                                 without_name);
      });
    }
    // Vector and vector: each series' match signature is computed once.
    const VectorMatching matching = binary.matching.value_or(VectorMatching{});
    std::vector<std::string> signatures[2];
    std::vector<std::string_view> step_signatures[2];
    ResultMetricCache cache;
    auto signatures_of = [&](int side, const StepArg& arg) {
      std::vector<std::string_view>& out = step_signatures[side];
      out.clear();
      for (uint32_t s : arg.series) out.push_back(signatures[side][s]);
      return std::span<const std::string_view>(out);
    };
    const bool set_op =
        op == TokenType::kLand || op == TokenType::kLor || op == TokenType::kLunless;
    return RangeEval(
        args,
        [&](std::span<StepArg> v, int64_t) -> Result<StepVector> {
          std::span<const std::string_view> ls = signatures_of(0, v[0]);
          std::span<const std::string_view> rs = signatures_of(1, v[1]);
          if (set_op) return VectorSetOp(op, v[0].samples, v[1].samples, ls, rs);
          return VectorBinop(op, v[0].samples, v[1].samples, ls, rs, matching, binary.return_bool,
                             cache);
        },
        [&](size_t arg, const StepMatrix& matrix) {
          signatures[arg].clear();
          for (const StepSeries& series : matrix) {
            signatures[arg].push_back(MatchSignature(*series.metric, matching));
          }
        });
  }

  Result<Value> EvalAggregate(const AggregateExpr& aggregate) {
    StepAggregator aggregator(aggregate);
    std::string label;
    std::vector<const Expr*> args;
    const bool has_scalar_param =
        aggregate.param != nullptr && aggregate.param->type() == ValueType::kScalar;
    if (aggregate.param != nullptr && !has_scalar_param) {
      Result<Value> param = Eval(*aggregate.param);
      if (!param.ok()) return param.status();
      label = param->string;
    }
    if (has_scalar_param) args.push_back(aggregate.param.get());
    args.push_back(aggregate.expr.get());
    const StepFunction step = [&](std::span<StepArg> v, int64_t) -> Result<StepVector> {
      const double param = has_scalar_param ? v[0].scalar : 0;
      return aggregator.Step(v.back().samples, param, label);
    };
    // Series by series where it can: no StepVector per step.
    if (aggregate.param == nullptr && StepAggregator::FoldsWholeSeries(aggregate.op)) {
      Result<Value> input = Eval(*aggregate.expr);
      if (!input.ok()) return input.status();
      WATTLINE_RETURN_IF_ERROR(context_->CheckDeadline());
      std::optional<StepMatrix> folded = aggregator.WholeSeries(input->matrix, steps_);
      if (folded) {
        Value value;
        value.type = ValueType::kVector;
        value.matrix = std::move(*folded);
        Budget output(context_);
        WATTLINE_RETURN_IF_ERROR(output.Hold(PointCount(value.matrix)));
        return value;
      }
      std::vector<Value> values;
      values.push_back(std::move(input).value());
      return EvalSteps(std::move(values), step);
    }
    return RangeEval(args, step);
  }

  Result<Value> EvalCall(const Call& call) {
    const std::string_view name = call.function->name;
    for (size_t i = 0; i < call.args.size(); ++i) {
      if (call.args[i]->type() == ValueType::kMatrix) return EvalRangeFunction(call, i);
    }
    if (name == "time") {
      return ScalarValue([](int64_t t) { return static_cast<double>(t) / 1000; });
    }
    if (name == "pi") return ScalarValue([](int64_t) { return std::numbers::pi; });
    if (name == "timestamp") {
      const Expr& arg = Unparen(*call.args[0]);
      if (arg.kind == Expr::Kind::kVectorSelector) {
        Result<Value> value =
            EvalVectorSelector(static_cast<const VectorSelector&>(arg), /*sample_times=*/true);
        if (!value.ok()) return value;
        for (StepSeries& series : value->matrix) series.metric = DropMetricName(series.metric);
        if (HasSameLabelset(value->matrix)) return Status::FailedPrecondition(kSameLabelset);
        return value;
      }
    }
    std::vector<const Expr*> args;
    std::vector<std::string> strings;  // the string arguments, constant
    for (const ExprPtr& arg : call.args) {
      if (arg->type() == ValueType::kString) {
        Result<Value> value = Eval(*arg);
        if (!value.ok()) return value.status();
        strings.push_back(std::move(value->string));
      } else {
        args.push_back(arg.get());
      }
    }
    if (name == "scalar") {
      Result<Value> value =
          RangeEval(args, [](std::span<StepArg> v, int64_t) -> Result<StepVector> {
            const StepVector& in = v[0].samples;
            return StepVector{{EmptyLabels(), in.size() == 1 ? in[0].value : std::nan("")}};
          });
      if (value.ok()) value->type = ValueType::kScalar;
      return value;
    }
    if (name == "vector") {
      return RangeEval(args, [](std::span<StepArg> v, int64_t) -> Result<StepVector> {
        return StepVector{{EmptyLabels(), v[0].scalar}};
      });
    }
    if (name == "absent") {
      LabelsRef labels = AbsentLabels(*call.args[0]);
      return RangeEval(args, [labels](std::span<StepArg> v, int64_t) -> Result<StepVector> {
        if (!v[0].samples.empty()) return StepVector{};
        return StepVector{{labels, 1}};
      });
    }
    if (name == "sort" || name == "sort_desc") {
      const bool descending = name == "sort_desc";
      return RangeEval(args, [descending](std::span<StepArg> v, int64_t) -> Result<StepVector> {
        StepVector out = std::move(v[0].samples);
        // NaN sorts last either way, as in Prometheus.
        std::stable_sort(out.begin(), out.end(),
                         [descending](const StepSample& a, const StepSample& b) {
                           if (std::isnan(a.value)) return false;
                           if (std::isnan(b.value)) return true;
                           return descending ? a.value > b.value : a.value < b.value;
                         });
        return out;
      });
    }
    DerivedLabels without_name;
    if (name == "timestamp") {
      return RangeEval(args, [&](std::span<StepArg> v, int64_t t) -> Result<StepVector> {
        StepVector out;
        for (const StepSample& s : v[0].samples) {
          out.push_back({without_name.WithoutMetricName(s.metric), static_cast<double>(t) / 1000});
        }
        return out;
      });
    }
    if (name == "histogram_quantile") {
      return RangeEval(args, [](std::span<StepArg> v, int64_t) -> Result<StepVector> {
        return HistogramQuantile(v[0].scalar, v[1].samples);
      });
    }
    if (name == "label_replace" || name == "label_join") {
      return EvalLabelFunction(name, args, strings);
    }
    const ValueKernel kernel = FindValueKernel(name);
    if (kernel == nullptr) {
      return Status::InvalidArgument("function \"" + std::string(name) + "\" is not supported");
    }
    const bool calendar = call.function->variadic == 1 && call.args.empty();
    const bool clamp = name == "clamp";
    return RangeEval(args, [&](std::span<StepArg> v, int64_t t) -> Result<StepVector> {
      if (calendar) {
        // Without an argument, the calendar functions read vector(time()).
        return StepVector{{EmptyLabels(), kernel(static_cast<double>(t) / 1000, {})}};
      }
      std::vector<double> scalars;
      for (size_t i = 1; i < v.size(); ++i) scalars.push_back(v[i].scalar);
      if (clamp && scalars[1] < scalars[0]) return StepVector{};
      StepVector out;
      out.reserve(v[0].samples.size());
      for (const StepSample& s : v[0].samples) {
        out.push_back({without_name.WithoutMetricName(s.metric), kernel(s.value, scalars)});
      }
      return out;
    });
  }

  Result<Value> EvalLabelFunction(std::string_view name, const std::vector<const Expr*>& args,
                                  const std::vector<std::string>& strings) {
    std::optional<LabelReplacer> replacer;
    if (name == "label_replace") {
      Result<LabelReplacer> made =
          LabelReplacer::Make(strings[0], strings[1], strings[2], strings[3]);
      if (!made.ok()) return Status::FailedPrecondition(made.status().message());
      replacer.emplace(std::move(made).value());
    }
    // Each input label set is rewritten once for all steps.
    DerivedLabels rewritten;
    Status failed;
    return RangeEval(args, [&](std::span<StepArg> v, int64_t) -> Result<StepVector> {
      StepVector out;
      out.reserve(v[0].samples.size());
      for (const StepSample& s : v[0].samples) {
        const LabelsRef& metric = rewritten.Get(s.metric, [&](const Labels& labels) {
          if (replacer) return replacer->Apply(labels);
          Result<Labels> joined = LabelJoin(labels, strings[0], strings[1],
                                            std::span<const std::string>(strings).subspan(2));
          if (!joined.ok()) failed = Status::FailedPrecondition(joined.status().message());
          return joined.ok() ? std::move(joined).value() : Labels{};
        });
        WATTLINE_RETURN_IF_ERROR(failed);
        out.push_back({metric, s.value});
      }
      return out;
    });
  }

  // How a range function's windows sit, and what it needs per step.
  struct RangeCall {
    std::string_view name;
    RangeKernel kernel = nullptr;
    RangeBatchKernel batch = nullptr;  // where there is one: all windows at once
    int64_t range_ms = 0;
    int64_t offset_ms = 0;
    std::optional<AtModifier> at;
    bool extension = false;      // reads the sample before the window
    bool keep_name = false;      // last_over_time keeps the metric name
    int64_t rollup_ms = 0;       // the rollups its windows read, 0: raw samples
    std::vector<Value> scalars;  // the scalar arguments' values
  };

  // A function of a range vector (a range selector or a subquery), per
  // series and step.
  Result<Value> EvalRangeFunction(const Call& call, size_t matrix_arg) {
    const Expr& arg = Unparen(*call.args[matrix_arg]);
    RangeCall range;
    range.name = call.function->name;
    range.extension = call.function->extension;
    range.keep_name = range.name == "last_over_time";
    for (size_t i = 0; i < call.args.size(); ++i) {
      if (i == matrix_arg) continue;
      Result<Value> value = Eval(*call.args[i]);
      if (!value.ok()) return value.status();
      range.scalars.push_back(std::move(value).value());
    }

    StepMatrix source;
    Budget reading(context_);
    const MatrixSelector* matrix_selector = nullptr;
    if (arg.kind == Expr::Kind::kMatrixSelector) {
      matrix_selector = &static_cast<const MatrixSelector&>(arg);
      range.range_ms = matrix_selector->range_ms;
      range.offset_ms = matrix_selector->selector->offset_ms;
      range.at = matrix_selector->selector->at;
    } else {
      const auto& subquery = static_cast<const SubqueryExpr&>(arg);
      range.range_ms = subquery.range_ms;
      range.offset_ms = subquery.offset_ms;
      range.at = subquery.at;
      Result<Value> inner =
          EvalSubquery(subquery, range.extension ? context_->lookback_delta_ms : 0);
      if (!inner.ok()) return inner.status();
      WATTLINE_RETURN_IF_ERROR(reading.Hold(PointCount(inner->matrix)));
      source = std::move(inner->matrix);
    }
    if (range.name != "absent_over_time") {
      range.kernel = FindRangeKernel(range.name);
      range.batch = FindRangeBatchKernel(range.name);
      if (range.kernel == nullptr) {
        return Status::InvalidArgument("function \"" + std::string(range.name) +
                                       "\" is not supported");
      }
    }
    if (matrix_selector != nullptr && range.kernel != nullptr) {
      range.rollup_ms = RollupResolutionFor(range);
      if (range.rollup_ms != 0) return RangeFunctionFromRollups(*matrix_selector->selector, range);
    }
    if (matrix_selector != nullptr) {
      auto read = ReadSeries(matrix_selector->selector->matchers, FirstSampleTime(range),
                             LastSampleTime(range), reading);
      if (!read.ok()) return read.status();
      for (auto& [ref, samples] : *read) {
        DropStaleMarkers(samples);
        source.push_back({std::make_shared<Labels>(std::move(ref.labels)), std::move(samples)});
      }
    }
    if (range.kernel == nullptr) return AbsentOverTime(call, source, range);

    Value value;
    value.type = ValueType::kVector;
    Budget output(context_);
    for (StepSeries& in : source) {
      WATTLINE_RETURN_IF_ERROR(context_->CheckDeadline());
      WATTLINE_RETURN_IF_ERROR(KeepSeries(WindowsOverPoints(in, range), output, value));
    }
    if (HasSameLabelset(value.matrix)) return Status::FailedPrecondition(kSameLabelset);
    return value;
  }

  // The first and last sample times any step of `range` reads: the first
  // window's start (less the lookback, for the extensions' sample before
  // it) and the last window's end.
  int64_t FirstSampleTime(const RangeCall& range) const {
    return SaturatingSub(
        SaturatingSub(ReferenceTime(start_, range.at, range.offset_ms), range.range_ms),
        range.extension ? context_->lookback_delta_ms : 0);
  }
  int64_t LastSampleTime(const RangeCall& range) const {
    return ReferenceTime(end_, range.at, range.offset_ms);
  }

  // Adds a range function's series to its value unless it has no point;
  // counted in `output`.
  static Status KeepSeries(Result<StepSeries> series, Budget& output, Value& value) {
    if (!series.ok()) return series.status();
    if (series->points.empty()) return Status::Ok();
    WATTLINE_RETURN_IF_ERROR(output.Hold(series->points.size()));
    value.matrix.push_back(std::move(series).value());
    return Status::Ok();
  }

  // One series' value at each step, from its raw points.
  Result<StepSeries> WindowsOverPoints(const StepSeries& in, const RangeCall& range) {
    const int64_t lookback = context_->lookback_delta_ms;
    StepSeries out{range.keep_name ? in.metric : DropMetricName(in.metric), {}};
    const std::vector<SamplePoint>& points = in.points;
    // Every step's window first, then the function over them.
    std::vector<RangeWindow> windows;
    size_t lo = 0;
    size_t hi = 0;
    for (uint64_t i = 0; i < steps_.count(); ++i) {
      const int64_t t = steps_.At(i);
      const int64_t range_end = ReferenceTime(t, range.at, range.offset_ms);
      const int64_t range_start = SaturatingSub(range_end, range.range_ms);
      while (lo < points.size() && points[lo].timestamp_ms < range_start) ++lo;
      if (hi < lo) hi = lo;
      while (hi < points.size() && points[hi].timestamp_ms <= range_end) ++hi;
      if (hi == lo) continue;
      RangeWindow window;
      window.points = std::span<const SamplePoint>(points).subspan(lo, hi - lo);
      window.range_start_ms = range_start;
      window.range_end_ms = range_end;
      window.eval_time_ms = t;
      if (range.extension && lo > 0 &&
          points[lo - 1].timestamp_ms >= SaturatingSub(range_start, lookback)) {
        window.before = points[lo - 1];
      }
      windows.push_back(window);
    }
    std::vector<std::optional<double>> results(windows.size());
    if (range.batch != nullptr) {
      range.batch(windows, results);
    } else {
      std::vector<double> scalars(range.scalars.size());
      for (size_t w = 0; w < windows.size(); ++w) {
        for (size_t s = 0; s < range.scalars.size(); ++s) {
          scalars[s] = ScalarAt(range.scalars[s], windows[w].eval_time_ms);
        }
        if (range.name == "holt_winters") WATTLINE_RETURN_IF_ERROR(CheckHoltWinters(scalars));
        results[w] = range.kernel(windows[w], scalars);
      }
    }
    for (size_t w = 0; w < windows.size(); ++w) {
      if (results[w]) out.points.push_back({windows[w].eval_time_ms, *results[w]});
    }
    return out;
  }

  // The coarsest rollups (hours, then minutes) on whose buckets every
  // window of `range` starts and ends, if the function can be answered from
  // rollups with the raw samples' answer; 0 otherwise.
  int64_t RollupResolutionFor(const RangeCall& range) const {
    if (!context_->reader->HasRollups() || !RollupFunctionNamed(range.name)) return 0;
    const int64_t first_end = ReferenceTime(start_, range.at, range.offset_ms);
    for (int64_t resolution : {kHourResolutionMs, kMinuteResolutionMs}) {
      if (range.range_ms % resolution != 0) continue;
      if (first_end - range.range_ms - resolution < 0) continue;
      if (first_end % resolution != 0) continue;
      if (steps_.count() == 1 || range.at.has_value() || interval_ % resolution == 0) {
        return resolution;
      }
    }
    return 0;
  }

  // EvalRangeFunction's windows from rollups of range.rollup_ms
  // (rollup_windows.h); a series with a non-finite value in its buckets is
  // read raw instead.
  Result<Value> RangeFunctionFromRollups(const VectorSelector& selector, const RangeCall& range) {
    Result<std::vector<SeriesRef>> refs = SelectSeries(selector.matchers);
    if (!refs.ok()) return refs.status();
    const RollupFunction function = *RollupFunctionNamed(range.name);  // RollupResolutionFor
    const int64_t first_start = ReferenceTime(start_, range.at, range.offset_ms) - range.range_ms;
    const int64_t last_end = LastSampleTime(range);
    Value value;
    value.type = ValueType::kVector;
    Budget output(context_);
    const bool parallel = last_end - first_start >= kParallelReadSpanMs;
    const size_t batch = parallel ? kReadBatchSeries : 1;
    for (size_t first = 0; first < refs->size(); first += batch) {
      const size_t n = std::min(batch, refs->size() - first);
      std::vector<std::vector<Rollup>> buckets(n);
      std::vector<Status> read(n);
      ReadInParallel(n, [&](size_t i) {
        read[i] =
            context_->reader->AppendRollups((*refs)[first + i].id, range.rollup_ms,
                                            first_start - range.rollup_ms, last_end, &buckets[i]);
      });
      for (size_t i = 0; i < n; ++i) {
        SeriesRef& ref = (*refs)[first + i];
        WATTLINE_RETURN_IF_ERROR(context_->CheckDeadline());
        if (!read[i].ok()) {
          return Status::Internal("cannot read rollups of " + LabelsToString(ref.labels) + ": " +
                                  read[i].message());
        }
        Budget holding(context_);
        WATTLINE_RETURN_IF_ERROR(holding.Hold(buckets[i].size()));
        StepSeries in{std::make_shared<Labels>(std::move(ref.labels)), {}};
        WATTLINE_RETURN_IF_ERROR(
            KeepSeries(AllFinite(buckets[i]) ? WindowsOverRollups(in, buckets[i], function, range)
                                             : RawWindowsOf(ref.id, std::move(in), range),
                       output, value));
        buckets[i] = {};
      }
    }
    if (HasSameLabelset(value.matrix)) return Status::FailedPrecondition(kSameLabelset);
    return value;
  }

  static bool AllFinite(const std::vector<Rollup>& buckets) {
    return std::all_of(buckets.begin(), buckets.end(), [](const Rollup& b) {
      return std::isfinite(b.sum) && std::isfinite(b.min) && std::isfinite(b.max) &&
             std::isfinite(b.first) && std::isfinite(b.last) && std::isfinite(b.increase);
    });
  }

  Result<StepSeries> WindowsOverRollups(const StepSeries& in, const std::vector<Rollup>& buckets,
                                        RollupFunction function, const RangeCall& range) const {
    StepSeries out{range.keep_name ? in.metric : DropMetricName(in.metric), {}};
    // The windows' ends only move forward from step to step: lo and hi are
    // the first buckets starting at or after the window's start and end.
    size_t lo = 0;
    size_t hi = 0;
    for (uint64_t i = 0; i < steps_.count(); ++i) {
      const int64_t t = steps_.At(i);
      RollupWindow window;
      window.range_end_ms = ReferenceTime(t, range.at, range.offset_ms);
      window.range_start_ms = window.range_end_ms - range.range_ms;
      window.lookback_delta_ms = context_->lookback_delta_ms;
      while (lo < buckets.size() && buckets[lo].start_ms < window.range_start_ms) ++lo;
      if (hi < lo) hi = lo;
      while (hi < buckets.size() && buckets[hi].start_ms < window.range_end_ms) ++hi;
      window.inside = std::span<const Rollup>(buckets).subspan(lo, hi - lo);
      if (hi < buckets.size() && buckets[hi].start_ms == window.range_end_ms) {
        window.at_end = &buckets[hi];
      }
      if (lo > 0 && buckets[lo - 1].start_ms == window.range_start_ms - range.rollup_ms) {
        window.before = &buckets[lo - 1];
      }
      const std::optional<double> result = EvalFromRollups(function, window);
      if (result) out.points.push_back({t, *result});
    }
    return out;
  }

  // One series' windows from its raw samples.
  Result<StepSeries> RawWindowsOf(SeriesId id, StepSeries in, const RangeCall& range) {
    Budget holding(context_);
    Result<std::vector<SamplePoint>> samples =
        ReadSamplesOf(id, *in.metric, FirstSampleTime(range), LastSampleTime(range), holding);
    if (!samples.ok()) return samples.status();
    DropStaleMarkers(*samples);
    in.points = std::move(samples).value();
    return WindowsOverPoints(in, range);
  }

  static Status CheckHoltWinters(const std::vector<double>& scalars) {
    const double sf = scalars[0];
    const double tf = scalars[1];
    if (!(sf > 0 && sf < 1)) {
      return Status::FailedPrecondition("invalid smoothing factor. Expected: 0 < sf < 1, got: " +
                                        std::to_string(sf));
    }
    if (!(tf > 0 && tf < 1)) {
      return Status::FailedPrecondition("invalid trend factor. Expected: 0 < tf < 1, got: " +
                                        std::to_string(tf));
    }
    return Status::Ok();
  }

  // absent_over_time(): 1 at the steps where no series has a sample in its
  // window.
  Result<Value> AbsentOverTime(const Call& call, const StepMatrix& source, const RangeCall& range) {
    Value value;
    value.type = ValueType::kVector;
    StepSeries out{AbsentLabels(*call.args[0]), {}};
    std::vector<size_t> lo(source.size(), 0);
    for (uint64_t i = 0; i < steps_.count(); ++i) {
      const int64_t t = steps_.At(i);
      const int64_t range_end = ReferenceTime(t, range.at, range.offset_ms);
      const int64_t range_start = SaturatingSub(range_end, range.range_ms);
      bool present = false;
      for (size_t s = 0; s < source.size() && !present; ++s) {
        const std::vector<SamplePoint>& points = source[s].points;
        while (lo[s] < points.size() && points[lo[s]].timestamp_ms < range_start) ++lo[s];
        present = lo[s] < points.size() && points[lo[s]].timestamp_ms <= range_end;
      }
      if (!present) out.points.push_back({t, 1});
    }
    if (!out.points.empty()) value.matrix.push_back(std::move(out));
    return value;
  }

  static double ScalarAt(const Value& value, int64_t t) {
    if (value.matrix.empty()) return std::nan("");
    const std::vector<SamplePoint>& points = value.matrix.front().points;
    auto it =
        std::lower_bound(points.begin(), points.end(), t,
                         [](const SamplePoint& p, int64_t time) { return p.timestamp_ms < time; });
    if (it == points.end() || it->timestamp_ms != t) return std::nan("");
    return it->value;
  }

  // Prometheus's rangeEval: evaluates `args`, then calls `function` at each
  // step with each argument's samples there, and gathers its results into
  // series. `on_argument` sees each evaluated vector argument first.
  Result<Value> RangeEval(std::span<const Expr* const> args, const StepFunction& function,
                          const std::function<void(size_t, const StepMatrix&)>& on_argument = {}) {
    std::vector<Value> values;
    values.reserve(args.size());
    for (size_t a = 0; a < args.size(); ++a) {
      Result<Value> value = Eval(*args[a]);
      if (!value.ok()) return value.status();
      if (on_argument && value->type == ValueType::kVector) on_argument(a, value->matrix);
      values.push_back(std::move(value).value());
    }
    return EvalSteps(std::move(values), function);
  }

  // RangeEval over arguments already evaluated.
  Result<Value> EvalSteps(std::vector<Value> values, const StepFunction& function) {
    std::vector<std::vector<size_t>> cursors(values.size());
    for (size_t a = 0; a < values.size(); ++a) cursors[a].assign(values[a].matrix.size(), 0);
    std::vector<StepArg> step_args(values.size());

    Value result;
    result.type = ValueType::kVector;
    Budget output(context_);
    std::unordered_map<const Labels*, size_t> by_pointer;
    std::unordered_multimap<size_t, size_t> by_hash;
    const bool single_step = steps_.count() == 1;
    for (uint64_t i = 0; i < steps_.count(); ++i) {
      if (i % 256 == 0) WATTLINE_RETURN_IF_ERROR(context_->CheckDeadline());
      const int64_t t = steps_.At(i);
      for (size_t a = 0; a < values.size(); ++a) {
        StepArg& arg = step_args[a];
        arg.samples.clear();
        arg.series.clear();
        const StepMatrix& matrix = values[a].matrix;
        for (size_t s = 0; s < matrix.size(); ++s) {
          size_t& c = cursors[a][s];
          const std::vector<SamplePoint>& points = matrix[s].points;
          while (c < points.size() && points[c].timestamp_ms < t) ++c;
          if (c < points.size() && points[c].timestamp_ms == t) {
            arg.samples.push_back({matrix[s].metric, points[c].value});
            arg.series.push_back(static_cast<uint32_t>(s));
          }
        }
        if (values[a].type == ValueType::kScalar) {
          arg.scalar = arg.samples.empty() ? std::nan("") : arg.samples.front().value;
        }
      }
      Result<StepVector> out = function(step_args, t);
      if (!out.ok()) return out.status();
      // Over several steps, two samples with one label set meet in one
      // series at this step: found below without hashing every sample.
      if (single_step && ContainsSameLabelset(*out)) {
        return Status::FailedPrecondition(kSameLabelset);
      }
      WATTLINE_RETURN_IF_ERROR(output.Hold(out->size()));
      for (StepSample& sample : *out) {
        size_t index;
        if (single_step) {
          index = result.matrix.size();
          result.matrix.push_back({std::move(sample.metric), {}});
        } else if (auto it = by_pointer.find(sample.metric.get()); it != by_pointer.end()) {
          index = it->second;
        } else {
          const size_t hash = HashLabels(*sample.metric);
          index = result.matrix.size();
          auto [first, last] = by_hash.equal_range(hash);
          for (auto h = first; h != last; ++h) {
            if (*result.matrix[h->second].metric == *sample.metric) {
              index = h->second;
              break;
            }
          }
          if (index == result.matrix.size()) {
            by_hash.emplace(hash, index);
            result.matrix.push_back({sample.metric, {}});
          }
          by_pointer.emplace(sample.metric.get(), index);
          if (sample.metric != result.matrix[index].metric) {
            // Keep the key's label set alive while its address is a key.
            pinned_.push_back(sample.metric);
          }
        }
        std::vector<SamplePoint>& points = result.matrix[index].points;
        if (!points.empty() && points.back().timestamp_ms == t) {
          return Status::FailedPrecondition(kSameLabelset);
        }
        points.push_back({t, sample.value});
      }
    }
    return result;
  }

  QueryContext* const context_;
  const int64_t start_;
  const int64_t end_;
  const int64_t interval_;
  const Steps steps_;
  std::vector<LabelsRef> pinned_;
};

Matrix ToMatrix(StepMatrix steps) {
  Matrix matrix;
  matrix.reserve(steps.size());
  for (StepSeries& series : steps) {
    if (series.points.empty()) continue;
    matrix.push_back(Series{*series.metric, std::move(series.points)});
  }
  return matrix;
}

void SortByLabels(Matrix& matrix) {
  std::sort(matrix.begin(), matrix.end(),
            [](const Series& a, const Series& b) { return a.metric < b.metric; });
}

}  // namespace

Engine::Engine(SeriesReader* reader, const Clock* clock, QueryLimits limits,
               int64_t lookback_delta_ms)
    : reader_(reader), clock_(clock), limits_(limits), lookback_delta_ms_(lookback_delta_ms) {}

int64_t Engine::Deadline(std::optional<int64_t> timeout_ms) const {
  const int64_t timeout = std::min(limits_.timeout_ms, timeout_ms.value_or(limits_.timeout_ms));
  return SaturatingAdd(clock_->NowMonotonicMs(), std::max<int64_t>(timeout, 0));
}

Result<QueryValue> Engine::Instant(const Expr& expr, int64_t time_ms,
                                   std::optional<int64_t> timeout_ms) const {
  QueryContext context{
      reader_, clock_, limits_.max_samples, lookback_delta_ms_, Deadline(timeout_ms),
      time_ms, time_ms};
  const std::unique_ptr<HeldReads> held = reader_->HoldReads();
  Evaluation evaluation(&context, time_ms, time_ms, 1);
  Result<Value> value = evaluation.Eval(expr);
  if (!value.ok()) return value.status();
  switch (value->type) {
    case ValueType::kScalar: {
      const double v = value->matrix.empty() || value->matrix.front().points.empty()
                           ? std::nan("")
                           : value->matrix.front().points.front().value;
      return QueryValue(Scalar{time_ms, v});
    }
    case ValueType::kString:
      return QueryValue(StringValue{time_ms, std::move(value->string)});
    case ValueType::kMatrix: {
      Matrix matrix = ToMatrix(std::move(value->matrix));
      SortByLabels(matrix);
      return QueryValue(std::move(matrix));
    }
    default:
      break;
  }
  Vector vector;
  vector.reserve(value->matrix.size());
  for (StepSeries& series : value->matrix) {
    if (series.points.empty()) continue;
    vector.push_back(Sample{*series.metric, time_ms, series.points.front().value});
  }
  return QueryValue(std::move(vector));
}

Result<Matrix> Engine::Range(const Expr& expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                             std::optional<int64_t> timeout_ms) const {
  if (expr.type() != ValueType::kVector && expr.type() != ValueType::kScalar) {
    return Status::InvalidArgument("invalid expression type \"" +
                                   std::string(ValueTypeDocName(expr.type())) +
                                   "\" for range query, must be Scalar or instant Vector");
  }
  if (end_ms < start_ms) {
    return Status::InvalidArgument("end timestamp must not be before start time");
  }
  if (step_ms <= 0) {
    return Status::InvalidArgument(
        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  QueryContext context{
      reader_,  clock_, limits_.max_samples, lookback_delta_ms_, Deadline(timeout_ms),
      start_ms, end_ms};
  const std::unique_ptr<HeldReads> held = reader_->HoldReads();
  Evaluation evaluation(&context, start_ms, end_ms, step_ms);
  Result<Value> value = evaluation.Eval(expr);
  if (!value.ok()) return value.status();
  Matrix matrix = ToMatrix(std::move(value->matrix));
  SortByLabels(matrix);
  return matrix;
}

}  // namespace wattline::aggregator
