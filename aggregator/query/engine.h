// The PromQL engine: evaluates a parsed expression (ast.h) against storage,
// which it reads through SeriesReader only (Select, then ReadSamples).
//
// Semantics are Prometheus's (promql/engine.go):
//   - A vector selector evaluated at time t gives, for every matching series,
//     the newest sample with t - lookback < timestamp <= t, reported at time
//     t (the evaluation time, not the sample's own). The metric keeps
//     __name__. A sample exactly `lookback` old is not found.
//   - A stale marker (value.h, IsStaleNaN) as that newest sample means the
//     series has ended: nothing is reported for it at t.
//   - A range query evaluates at start, start + step, ... up to and including
//     end; a series with no point at any of those times is left out.
//   - Results are ordered by labels.
//
// Limits (QueryLimits): a query that would hold too many samples fails with
// ResourceExhausted; one that runs past its deadline fails with Unavailable.
//
// Errors, one Status code per Prometheus error type:
//   InvalidArgument    the query cannot run as asked (bad_data)
//   ResourceExhausted  "query processing would load too many samples into
//                      memory in query execution" (execution)
//   Unavailable        "query timed out in expression evaluation" (timeout)
//   Internal           storage failed; the reader's message, with context
//
// Thread-safety: an Engine is immutable; queries may run concurrently when
// the SeriesReader allows concurrent calls.
#ifndef WATTLINE_AGGREGATOR_QUERY_ENGINE_H_
#define WATTLINE_AGGREGATOR_QUERY_ENGINE_H_

#include <cstdint>
#include <optional>

#include "aggregator/query/ast.h"
#include "aggregator/query/value.h"
#include "aggregator/storage/series_reader.h"
#include "common/clock.h"
#include "common/status.h"

namespace wattline::aggregator {

struct QueryLimits {
  // The most samples a query may hold at once: the points of its result so
  // far plus the samples read for the series being evaluated. Prometheus's
  // --query.max-samples default.
  int64_t max_samples = 50'000'000;
  // How long a query may run; a request's own timeout can only shorten it.
  // Prometheus's --query.timeout default.
  int64_t timeout_ms = 2 * 60 * 1000;
};

// How far back a selector looks for a sample (--query.lookback-delta).
inline constexpr int64_t kDefaultLookbackDeltaMs = 5 * 60 * 1000;

class Engine {
 public:
  // `reader` and `clock` must outlive the engine. Deadlines are measured on
  // the clock's monotonic time.
  Engine(SeriesReader* reader, const Clock* clock, QueryLimits limits = {},
         int64_t lookback_delta_ms = kDefaultLookbackDeltaMs);

  // Evaluates `expr` at `time_ms`. `timeout_ms`, when given, shortens the
  // limit's timeout for this query.
  // REQUIRES: expr.type() == ValueType::kVector.
  Result<Vector> Instant(const Expr& expr, int64_t time_ms,
                         std::optional<int64_t> timeout_ms = std::nullopt) const;

  // Evaluates the range vector `expr` (selector[range]) at `time_ms`: the raw
  // samples of each series. REQUIRES: expr.type() == ValueType::kMatrix.
  Result<Matrix> InstantRangeVector(const Expr& expr, int64_t time_ms,
                                    std::optional<int64_t> timeout_ms = std::nullopt) const;

  // Evaluates `expr` at every step from `start_ms` to `end_ms`.
  // InvalidArgument for a range vector, as in Prometheus.
  // InvalidArgument when end_ms < start_ms or step_ms <= 0. The API bounds
  // the number of steps (11,000) before calling; the engine does not need it.
  Result<Matrix> Range(const Expr& expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                       std::optional<int64_t> timeout_ms = std::nullopt) const;

 private:
  Result<Matrix> Evaluate(const Expr& expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                          std::optional<int64_t> timeout_ms) const;

  SeriesReader* const reader_;
  const Clock* const clock_;
  const QueryLimits limits_;
  const int64_t lookback_delta_ms_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_ENGINE_H_
