// Collects samples that arrive one by one or series by series (remote
// write's time series, the text import's lines) into one SeriesSamples per
// series, as SampleStore::Write takes them.
//
// Labels with an empty value are dropped, as Prometheus treats them as
// absent; the rest must canonicalize (labels.h), or the sample is refused
// with InvalidArgument. Take() sorts each series' samples by timestamp,
// stably, and of samples with one timestamp keeps the last added.
//
// Thread-safety: none; one grouper per request.
#ifndef WATTLINE_AGGREGATOR_INGEST_SERIES_GROUPER_H_
#define WATTLINE_AGGREGATOR_INGEST_SERIES_GROUPER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "common/batch.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::aggregator {

class SeriesGrouper {
 public:
  // Canonicalizes `labels` and returns the index of its series, made on
  // first use. Errors: InvalidArgument naming the fault.
  [[nodiscard]] Result<size_t> SeriesFor(Labels labels);
  // REQUIRES: `series` was returned by SeriesFor.
  void Add(size_t series, int64_t timestamp_ms, double value);

  size_t sample_count() const { return samples_; }
  // Every series with its samples grouped as described above.
  std::vector<SeriesSamples> Take();

 private:
  std::map<Labels, size_t> index_;
  std::vector<SeriesSamples> series_;
  size_t samples_ = 0;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_INGEST_SERIES_GROUPER_H_
