#include "aggregator/query/histogram_quantile.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>

#include "aggregator/query/number.h"

namespace wattline::aggregator {
namespace {

constexpr std::string_view kBucketLabel = "le";

// Adjacent buckets with the same bound add up (coalesceBuckets).
void Coalesce(std::vector<HistogramBucket>& buckets) {
  size_t out = 0;
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].upper_bound == buckets[out].upper_bound) {
      buckets[out].count += buckets[i].count;
    } else {
      buckets[++out] = buckets[i];
    }
  }
  buckets.resize(out + 1);
}

// Cumulative counts never fall (ensureMonotonic): scrapes of separate
// buckets at slightly different times can make them appear to.
void EnsureMonotonic(std::vector<HistogramBucket>& buckets) {
  double max = -std::numeric_limits<double>::infinity();
  for (HistogramBucket& bucket : buckets) {
    if (bucket.count > max) {
      max = bucket.count;
    } else if (bucket.count < max) {
      bucket.count = max;
    }
  }
}

}  // namespace

double BucketQuantile(double q, std::vector<HistogramBucket>& buckets) {
  if (std::isnan(q)) return std::nan("");
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  if (buckets.empty()) return std::nan("");
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const HistogramBucket& a, const HistogramBucket& b) {
                     return a.upper_bound < b.upper_bound;
                   });
  if (!std::isinf(buckets.back().upper_bound) || buckets.back().upper_bound < 0) {
    return std::nan("");
  }
  Coalesce(buckets);
  EnsureMonotonic(buckets);
  if (buckets.size() < 2) return std::nan("");
  const double observations = buckets.back().count;
  if (observations == 0) return std::nan("");
  double rank = q * observations;
  // The first bucket (the +Inf one excluded) holding the rank.
  size_t b = 0;
  while (b < buckets.size() - 1 && !(buckets[b].count >= rank)) ++b;
  if (b == buckets.size() - 1) return buckets[buckets.size() - 2].upper_bound;
  if (b == 0 && buckets[0].upper_bound <= 0) return buckets[0].upper_bound;
  double bucket_start = 0;
  const double bucket_end = buckets[b].upper_bound;
  double count = buckets[b].count;
  if (b > 0) {
    bucket_start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucket_start + (bucket_end - bucket_start) * (rank / count);
}

StepVector HistogramQuantile(double q, const StepVector& buckets) {
  struct Group {
    LabelsRef labels;
    std::vector<HistogramBucket> buckets;
  };
  // By the labels without `le` (the name included, as Prometheus groups).
  std::map<std::string, Group> groups;
  for (const StepSample& sample : buckets) {
    const std::string_view le = LabelValue(*sample.metric, kBucketLabel);
    const std::optional<double> bound = ParseGoFloat(le);
    if (le.empty() || !bound) continue;  // not a bucket
    std::string key;
    for (const Label& label : *sample.metric) {
      if (label.name == kBucketLabel) continue;
      key += label.name + '\xff' + label.value + '\xff';
    }
    auto [it, inserted] = groups.try_emplace(std::move(key));
    if (inserted) {
      auto labels = std::make_shared<Labels>();
      for (const Label& label : *sample.metric) {
        if (label.name != kMetricNameLabel && label.name != kBucketLabel &&
            label.name != "quantile") {
          labels->push_back(label);
        }
      }
      it->second.labels = std::move(labels);
    }
    it->second.buckets.push_back({*bound, sample.value});
  }
  StepVector out;
  out.reserve(groups.size());
  for (auto& [key, group] : groups) {
    out.push_back({group.labels, BucketQuantile(q, group.buckets)});
  }
  return out;
}

}  // namespace wattline::aggregator
