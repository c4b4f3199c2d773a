// Rollups: a series summarised per bucket of a coarser resolution (a minute,
// an hour), so long ranges are answered without reading raw samples, and
// with the numbers the raw samples give: every field is computed from the
// raw samples of the bucket, never from other rollups.
//
// Stale markers (IsStaleNaN) are not samples and are left out, as
// Prometheus's *_over_time functions leave them out. Other NaNs count.
//
// The counter fields make exact energy possible across buckets: the
// increase over a run of buckets is the sum of their `increase` plus, between
// each bucket and the next, the reset-aware step from one's `last` to the
// next's `first` (RollupIncrease does exactly that).
#ifndef WATTLINE_AGGREGATOR_STORAGE_ROLLUP_H_
#define WATTLINE_AGGREGATOR_STORAGE_ROLLUP_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/storage/series_reader.h"
#include "aggregator/storage/storage_layout.h"
#include "common/status.h"

namespace wattline::aggregator {

struct Rollup {
  int64_t start_ms = 0;  // the bucket is [start_ms, start_ms + resolution)
  int64_t count = 0;     // samples, stale markers excluded
  double sum = 0;
  double min = 0;
  double max = 0;
  double first = 0;  // the bucket's first and last samples
  double last = 0;
  int64_t first_ms = 0;
  int64_t last_ms = 0;
  // From first to last, read as a counter: a drop is a reset, after which
  // the counter counted up from zero (Prometheus's rule).
  double increase = 0;

  friend bool operator==(const Rollup&, const Rollup&) = default;
};

// The counter increase from `from` to `to`: a drop is a reset.
inline double CounterStep(double from, double to) { return to >= from ? to - from : to; }

// Buckets of `resolution_ms` (aligned to it) over `samples` (sorted by time),
// leaving out buckets with no sample.
std::vector<Rollup> ComputeRollups(std::span<const SamplePoint> samples, int64_t resolution_ms);

// The counter increase over consecutive buckets (sorted, of one series),
// from the first bucket's first sample to the last bucket's last: what the
// raw samples give, with resets.
double RollupIncrease(std::span<const Rollup> buckets);

// The on-disk form of a run of buckets (docs/formats/rollups.md): one chunk
// (chunk_codec.h) per field; the first keyed by bucket start, the others by
// index. The earlier form (every field keyed by bucket start) still decodes.
std::string EncodeRollups(std::span<const Rollup> buckets);
// Appends to `out`. InvalidArgument on anything malformed.
Status DecodeRollups(std::string_view data, std::vector<Rollup>* out);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_ROLLUP_H_
