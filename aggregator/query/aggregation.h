// PromQL's aggregation operators at one step, with Prometheus 2.42's
// semantics (promql/engine.go, aggregation()): sum avg min max count group
// stddev stdvar topk bottomk quantile count_values, grouped `by` the listed
// labels (the result keeps only those) or `without` them (the result drops
// them and __name__). topk and bottomk keep their samples' whole label sets.
// Groups appear in the order their first sample came.
//
// Errors: FailedPrecondition "Scalar value ... overflows int64" (topk/bottomk)
// and `invalid label name "..."` (count_values).
#ifndef WATTLINE_AGGREGATOR_QUERY_AGGREGATION_H_
#define WATTLINE_AGGREGATOR_QUERY_AGGREGATION_H_

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aggregator/query/ast.h"
#include "aggregator/query/step_vector.h"
#include "common/status.h"

namespace wattline::aggregator {

class StepAggregator {
 public:
  // `expr` must outlive the StepAggregator; one per expression evaluation, so
  // the groups' label sets are built once for all steps.
  explicit StepAggregator(const AggregateExpr& expr);

  // Aggregates one step's `input`. `param` is topk/bottomk's k or
  // quantile's q at this step; `label` is count_values' label name.
  Result<StepVector> Step(const StepVector& input, double param, std::string_view label);

  // Whether `op` can be aggregated by WholeSeries: the operators without a
  // parameter, whose samples fold into a few numbers per group.
  static bool FoldsWholeSeries(TokenType op);

  // The aggregation at every one of `steps` at once,
  // series by series rather than step by step: what Step would give at each
  // step, in the order it would give it, without a StepVector per step.
  // nullopt where holding every group's steps would take more room than
  // the input's points (few points in many groups): Step is then leaner.
  // REQUIRES: FoldsWholeSeries(op).
  std::optional<StepMatrix> WholeSeries(const StepMatrix& input, const Steps& steps);

 private:
  // The number of the group `metric` falls in, the same at every step.
  size_t GroupOf(const LabelsRef& metric);

  const AggregateExpr& expr_;
  std::vector<std::string> grouping_;  // sorted
  std::unordered_map<std::string, size_t> group_ids_;  // by signature
  std::vector<LabelsRef> group_labels_;                // by group number
  std::unordered_map<const Labels*, size_t> group_of_;
  std::vector<LabelsRef> alive_;  // keeps group_of_'s addresses from being reused
  std::vector<size_t> slots_;     // per group number, its place in one step's groups
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_AGGREGATION_H_
