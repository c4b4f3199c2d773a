// PromQL's binary operators at one step, with Prometheus 2's semantics
// (promql/engine.go: scalarBinop, VectorscalarBinop, VectorBinop,
// VectorAnd/Or/Unless, resultMetric):
//   - Arithmetic (+ - * / % ^ atan2) and comparisons (== != > < >= <=).
//     Between vectors, samples pair up by their match signature: the labels
//     of on(...), or all but __name__ and ignoring(...)'s.
//   - A comparison without `bool` filters, keeping the left side's value
//     (the vector's, for vector-scalar); with `bool` it gives 1 or 0.
//   - Arithmetic, and comparisons with `bool`, drop the metric name
//     (atan2 does not, as in Prometheus 2.42).
//   - and/or/unless match many-to-many and keep samples as they are.
//
// Errors: FailedPrecondition with Prometheus's texts for many-to-many matches
// and duplicate results.
#ifndef WATTLINE_AGGREGATOR_QUERY_BINARY_OPS_H_
#define WATTLINE_AGGREGATOR_QUERY_BINARY_OPS_H_

#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aggregator/query/ast.h"
#include "aggregator/query/step_vector.h"
#include "common/status.h"

namespace wattline::aggregator {

// scalar op scalar; comparisons give 1 or 0.
double ScalarBinop(TokenType op, double lhs, double rhs);

// vector op scalar, or scalar op vector when `swap`. `without_name` keeps
// the label sets without __name__ for all steps of the expression.
StepVector VectorScalarBinop(TokenType op, const StepVector& vector, double scalar, bool swap,
                             bool return_bool, DerivedLabels& without_name);

// The key samples pair up by, for `matching`.
std::string MatchSignature(const Labels& labels, const VectorMatching& matching);

// Remembers derived label sets across steps: the same input pair gives the
// same result metric at every step, so each is built once per expression.
class ResultMetricCache {
 public:
  LabelsRef Get(const LabelsRef& lhs, const LabelsRef& rhs, TokenType op,
                const VectorMatching& matching, bool return_bool);

 private:
  struct PairHash {
    size_t operator()(const std::pair<const Labels*, const Labels*>& p) const {
      return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
    }
  };
  std::unordered_map<std::pair<const Labels*, const Labels*>, LabelsRef, PairHash> cache_;
  // Keeps the keys' label sets alive, so their addresses are not reused.
  std::vector<LabelsRef> keys_;
};

// vector op vector for arithmetic and comparisons. `lhs_signatures[i]` is
// MatchSignature of lhs[i], likewise for rhs.
Result<StepVector> VectorBinop(TokenType op, const StepVector& lhs, const StepVector& rhs,
                               std::span<const std::string_view> lhs_signatures,
                               std::span<const std::string_view> rhs_signatures,
                               const VectorMatching& matching, bool return_bool,
                               ResultMetricCache& cache);

// and, or, unless.
StepVector VectorSetOp(TokenType op, const StepVector& lhs, const StepVector& rhs,
                       std::span<const std::string_view> lhs_signatures,
                       std::span<const std::string_view> rhs_signatures);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_BINARY_OPS_H_
