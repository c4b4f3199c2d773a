// The values a query evaluates to, as in Prometheus's promql/value.go: an
// instant vector (one sample per series, at one time) and a range vector or
// matrix (a series of points per series).
#ifndef WATTLINE_AGGREGATOR_QUERY_VALUE_H_
#define WATTLINE_AGGREGATOR_QUERY_VALUE_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "aggregator/storage/series_reader.h"
#include "common/labels.h"

namespace wattline::aggregator {

struct Sample {
  Labels metric;
  int64_t timestamp_ms = 0;
  double value = 0;
};

// Ordered by metric, or as the query ordered it (sort(), topk()).
using Vector = std::vector<Sample>;

struct Series {
  Labels metric;
  std::vector<SamplePoint> points;  // by timestamp, never empty
};

// Ordered by metric.
using Matrix = std::vector<Series>;

struct Scalar {
  int64_t timestamp_ms = 0;
  double value = 0;
};

struct StringValue {
  int64_t timestamp_ms = 0;
  std::string value;
};

// What an instant query answers, by the expression's type.
using QueryValue = std::variant<Scalar, StringValue, Vector, Matrix>;

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_VALUE_H_
