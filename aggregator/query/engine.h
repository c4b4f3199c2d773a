// The PromQL engine: evaluates a parsed expression (ast.h) against storage,
// which it reads through SeriesReader only (Select, then ReadSamples).
//
// Semantics are Prometheus 2.42's (promql/engine.go), the version the
// compatibility suite compares against (docs/promql-compatibility.md):
//   - Every expression is evaluated at all steps of the query at once:
//     start, start + step, ... up to and including end (an instant query is
//     one step).
//   - A vector selector at time t gives, for every matching series, the
//     newest sample with t - lookback <= timestamp <= t (t less the offset,
//     or the @ time), reported at t. A stale marker (IsStaleNaN) as that
//     newest sample means the series has ended.
//   - A range selector's window is [t - range, t], both ends included, stale
//     markers left out. (Prometheus 3 excludes the start; 2.42 does not.)
//   - Subqueries evaluate their expression at the multiples of their step
//     (default 1 minute) inside their range.
//   - Expressions that do not depend on the step (`@` selectors, literals)
//     are evaluated once at the first step, as Prometheus does.
//   - Range query results are ordered by labels; an instant vector keeps the
//     order its outermost operation gave (sort(), topk()).
//
// Limits (QueryLimits): a query whose intermediate values would hold more
// samples than max_samples fails with ResourceExhausted, so memory stays
// bounded whatever the query; one that runs past its deadline fails with
// Unavailable.
//
// Errors, one Status code per Prometheus error type:
//   InvalidArgument    the query cannot run as asked (bad_data)
//   FailedPrecondition the data makes the query fail: many-to-many matching,
//                      duplicate label sets in a result (execution)
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
  // The most samples a query may hold at once, over all its intermediate
  // values. Prometheus's --query.max-samples default.
  int64_t max_samples = 50'000'000;
  // How long a query may run; a request's own timeout can only shorten it.
  // Prometheus's --query.timeout default.
  int64_t timeout_ms = 2 * 60 * 1000;
};

// How far back a selector looks for a sample (--query.lookback-delta).
inline constexpr int64_t kDefaultLookbackDeltaMs = 5 * 60 * 1000;
// A subquery's step when it gives none (--query.default-evaluation-interval
// is Prometheus's global evaluation interval, 1 minute by default).
inline constexpr int64_t kDefaultSubqueryStepMs = 60 * 1000;

class Engine {
 public:
  // `reader` and `clock` must outlive the engine. Deadlines are measured on
  // the clock's monotonic time.
  Engine(SeriesReader* reader, const Clock* clock, QueryLimits limits = {},
         int64_t lookback_delta_ms = kDefaultLookbackDeltaMs);

  // Evaluates `expr` at `time_ms`: a Scalar, StringValue, Vector or (for a
  // range vector expression) Matrix. `timeout_ms`, when given, shortens the
  // limit's timeout for this query.
  Result<QueryValue> Instant(const Expr& expr, int64_t time_ms,
                             std::optional<int64_t> timeout_ms = std::nullopt) const;

  // Evaluates `expr` at every step from `start_ms` to `end_ms`; a scalar
  // gives one series without labels. InvalidArgument for a range vector or
  // string, as in Prometheus, and when end_ms < start_ms or step_ms <= 0.
  // The API bounds the number of steps (11,000) before calling.
  Result<Matrix> Range(const Expr& expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                       std::optional<int64_t> timeout_ms = std::nullopt) const;

 private:
  int64_t Deadline(std::optional<int64_t> timeout_ms) const;

  SeriesReader* const reader_;
  const Clock* const clock_;
  const QueryLimits limits_;
  const int64_t lookback_delta_ms_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_ENGINE_H_
