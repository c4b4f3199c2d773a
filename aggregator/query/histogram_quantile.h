// histogram_quantile(q, buckets) over classic histograms, as Prometheus 2.42
// (promql/functions.go funcHistogramQuantile, promql/quantile.go
// bucketQuantile): the series of one histogram differ only in `le`, their
// cumulative counts are made monotonic, and the quantile is interpolated
// linearly inside its bucket. Native histograms are not stored here.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_QUERY_HISTOGRAM_QUANTILE_H_
#define WATTLINE_AGGREGATOR_QUERY_HISTOGRAM_QUANTILE_H_

#include <vector>

#include "aggregator/query/step_vector.h"

namespace wattline::aggregator {

struct HistogramBucket {
  double upper_bound = 0;
  double count = 0;  // cumulative
};

// The q-quantile of one histogram: NaN without a +Inf bucket, with fewer
// than two buckets or no observations; -Inf/+Inf for q < 0 / q > 1.
// Reorders `buckets`.
double BucketQuantile(double q, std::vector<HistogramBucket>& buckets);

// One step: groups `buckets` (samples with an `le` label; others are
// skipped) by their labels without `le`, and answers each group's quantile,
// labelled without __name__, le and quantile.
StepVector HistogramQuantile(double q, const StepVector& buckets);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_HISTOGRAM_QUANTILE_H_
