#include "aggregator/rules/recording_rule.h"

#include <algorithm>
#include <string>
#include <utility>

namespace wattline::aggregator {

Result<Vector> RecordingRuleOutput(const RuleSpec& rule, Vector result, int64_t limit) {
  for (Sample& sample : result) {
    SetLabel(sample.metric, kMetricNameLabel, rule.name);
    for (const Label& label : rule.labels) SetLabel(sample.metric, label.name, label.value);
  }
  std::vector<const Labels*> sorted;
  sorted.reserve(result.size());
  for (const Sample& sample : result) sorted.push_back(&sample.metric);
  std::sort(sorted.begin(), sorted.end(), [](const Labels* a, const Labels* b) { return *a < *b; });
  if (std::adjacent_find(sorted.begin(), sorted.end(), [](const Labels* a, const Labels* b) {
        return *a == *b;
      }) != sorted.end()) {
    return Status::FailedPrecondition(
        "vector contains metrics with the same labelset after applying rule labels");
  }
  if (limit > 0 && static_cast<int64_t>(result.size()) > limit) {
    return Status::FailedPrecondition("exceeded limit of " + std::to_string(limit) + " with " +
                                      std::to_string(result.size()) + " series");
  }
  return result;
}

}  // namespace wattline::aggregator
