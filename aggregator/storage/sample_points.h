// Small operations on runs of samples sorted by timestamp, shared by the
// head, the chunk engine and the rollups.
#ifndef WATTLINE_AGGREGATOR_STORAGE_SAMPLE_POINTS_H_
#define WATTLINE_AGGREGATOR_STORAGE_SAMPLE_POINTS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "aggregator/storage/series_reader.h"

namespace wattline::aggregator {

inline bool EarlierTimestamp(const SamplePoint& a, const SamplePoint& b) {
  return a.timestamp_ms < b.timestamp_ms;
}

// The start of the `step_ms`-aligned span holding `timestamp_ms` (rounding
// down, negative times too); saturates near the int64 minimum, where query
// bounds may lie but no sample does.
int64_t AlignDown(int64_t timestamp_ms, int64_t step_ms);

// Merges `newer` into `older`, both sorted: at a timestamp both hold,
// `newer`'s sample wins. Returns how many of `older` it replaced.
uint64_t MergeSamples(std::vector<SamplePoint>& older, std::span<const SamplePoint> newer);

// Appends the samples of `sorted` with mint_ms <= timestamp <= maxt_ms.
void AppendInRange(std::span<const SamplePoint> sorted, int64_t mint_ms, int64_t maxt_ms,
                   std::vector<SamplePoint>* out);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_SAMPLE_POINTS_H_
