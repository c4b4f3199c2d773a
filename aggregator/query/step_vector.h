// The engine's working values. Every expression is evaluated at all steps of
// a query at once (as Prometheus's engine does): an instant vector becomes a
// StepMatrix, one series per label set with a point per step it has a value
// at; a scalar becomes one series without labels with a point at every step.
// Operators and aggregations then work one step at a time on a StepVector.
//
// Label sets are shared (LabelsRef) because the same set appears at every
// step: copying a pointer per sample and step is cheap, copying labels is
// not.
#ifndef WATTLINE_AGGREGATOR_QUERY_STEP_VECTOR_H_
#define WATTLINE_AGGREGATOR_QUERY_STEP_VECTOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "aggregator/storage/series_reader.h"
#include "common/labels.h"

namespace wattline::aggregator {

using LabelsRef = std::shared_ptr<const Labels>;

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
  // The i with At(i) == t, if t is one of the times.
  std::optional<uint64_t> IndexOf(int64_t t) const {
    const uint64_t offset = Distance(start_, t);
    if (offset % step_ != 0 || offset / step_ >= count_) return std::nullopt;
    return offset / step_;
  }

 private:
  static uint64_t Distance(int64_t from, int64_t to) {
    return static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
  }

  int64_t start_;
  uint64_t step_;
  uint64_t count_;
};

struct StepSample {
  LabelsRef metric;
  double value = 0;
};

// The samples of one step, in the order the operation produced them.
using StepVector = std::vector<StepSample>;

struct StepSeries {
  LabelsRef metric;
  std::vector<SamplePoint> points;  // by timestamp
};

using StepMatrix = std::vector<StepSeries>;

// Prometheus's Labels.Hash, in spirit: equal label sets hash alike.
size_t HashLabels(const Labels& labels);

// `labels` without __name__; the same reference when it has none.
LabelsRef DropMetricName(const LabelsRef& labels);

// Label sets derived from an expression's input label sets, each made once:
// the same input set comes at every step, and a set made anew at each step
// would cost an allocation per sample and step (and defeat the engine's
// lookup of output series by address).
class DerivedLabels {
 public:
  // `derive(*input)`, from the cache after the first call for `input`.
  template <typename Derive>
  const LabelsRef& Get(const LabelsRef& input, Derive derive) {
    if (auto it = cache_.find(input.get()); it != cache_.end()) return it->second;
    return Insert(input, std::make_shared<const Labels>(derive(*input)));
  }

  // DropMetricName(input), from the cache after the first call.
  const LabelsRef& WithoutMetricName(const LabelsRef& input);

 private:
  const LabelsRef& Insert(const LabelsRef& input, LabelsRef derived);

  std::unordered_map<const Labels*, LabelsRef> cache_;
  std::vector<LabelsRef> inputs_;  // keeps the keys' addresses from being reused
};

// True when two samples of `vector` have equal label sets, which Prometheus
// refuses: "vector cannot contain metrics with the same labelset".
bool ContainsSameLabelset(const StepVector& vector);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_QUERY_STEP_VECTOR_H_
