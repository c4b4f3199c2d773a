#include "aggregator/query/step_vector.h"

#include <functional>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace wattline::aggregator {

size_t HashLabels(const Labels& labels) {
  size_t hash = 0x9e3779b97f4a7c15ULL;
  const std::hash<std::string_view> hasher;
  for (const Label& label : labels) {
    hash = (hash ^ hasher(label.name)) * 0x100000001b3ULL;
    hash = (hash ^ hasher(label.value)) * 0x100000001b3ULL;
  }
  return hash;
}

LabelsRef DropMetricName(const LabelsRef& labels) {
  if (MetricName(*labels).empty()) return labels;
  auto dropped = std::make_shared<Labels>();
  dropped->reserve(labels->size() - 1);
  for (const Label& label : *labels) {
    if (label.name != kMetricNameLabel) dropped->push_back(label);
  }
  return dropped;
}

const LabelsRef& DerivedLabels::WithoutMetricName(const LabelsRef& input) {
  if (auto it = cache_.find(input.get()); it != cache_.end()) return it->second;
  return Insert(input, DropMetricName(input));
}

const LabelsRef& DerivedLabels::Insert(const LabelsRef& input, LabelsRef derived) {
  inputs_.push_back(input);
  return cache_.emplace(input.get(), std::move(derived)).first->second;
}

bool ContainsSameLabelset(const StepVector& vector) {
  if (vector.size() < 2) return false;
  std::unordered_multimap<size_t, const Labels*> seen;
  seen.reserve(vector.size());
  for (const StepSample& sample : vector) {
    const size_t hash = HashLabels(*sample.metric);
    auto [first, last] = seen.equal_range(hash);
    for (auto it = first; it != last; ++it) {
      if (*it->second == *sample.metric) return true;
    }
    seen.emplace(hash, sample.metric.get());
  }
  return false;
}

}  // namespace wattline::aggregator
