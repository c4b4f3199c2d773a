#include "aggregator/storage/sample_points.h"

#include <algorithm>
#include <limits>

namespace wattline::aggregator {

int64_t AlignDown(int64_t timestamp_ms, int64_t step_ms) {
  if (timestamp_ms < std::numeric_limits<int64_t>::min() + step_ms) {
    return std::numeric_limits<int64_t>::min();
  }
  int64_t start = timestamp_ms - timestamp_ms % step_ms;
  if (timestamp_ms % step_ms < 0) start -= step_ms;  // floor, not truncation
  return start;
}

uint64_t MergeSamples(std::vector<SamplePoint>& older, std::span<const SamplePoint> newer) {
  std::vector<SamplePoint> merged;
  merged.reserve(older.size() + newer.size());
  uint64_t replaced = 0;
  size_t i = 0;
  size_t j = 0;
  while (i < older.size() || j < newer.size()) {
    if (j == newer.size() || (i < older.size() && older[i].timestamp_ms < newer[j].timestamp_ms)) {
      merged.push_back(older[i++]);
      continue;
    }
    if (i < older.size() && older[i].timestamp_ms == newer[j].timestamp_ms) {
      ++i;
      ++replaced;
    }
    merged.push_back(newer[j++]);
  }
  older = std::move(merged);
  return replaced;
}

void AppendInRange(std::span<const SamplePoint> sorted, int64_t mint_ms, int64_t maxt_ms,
                   std::vector<SamplePoint>* out) {
  auto first =
      std::lower_bound(sorted.begin(), sorted.end(), SamplePoint{mint_ms, 0}, EarlierTimestamp);
  auto last = std::upper_bound(first, sorted.end(), SamplePoint{maxt_ms, 0}, EarlierTimestamp);
  out->insert(out->end(), first, last);
}

}  // namespace wattline::aggregator
