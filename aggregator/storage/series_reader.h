// What the query engine reads from storage. The storage engine behind it may
// change (its own issue); this interface is what queries depend on.
//
// Thread-safety: implementations allow concurrent calls, concurrent with
// ingest.
#ifndef WATTLINE_AGGREGATOR_STORAGE_SERIES_READER_H_
#define WATTLINE_AGGREGATOR_STORAGE_SERIES_READER_H_

#include <cstdint>
#include <vector>

#include "aggregator/storage/label_matcher.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::aggregator {

using SeriesId = int64_t;

struct SeriesRef {
  SeriesId id = 0;
  Labels labels;
};

struct SamplePoint {
  int64_t timestamp_ms = 0;
  double value = 0;

  friend bool operator==(const SamplePoint&, const SamplePoint&) = default;
};

class SeriesReader {
 public:
  virtual ~SeriesReader() = default;

  // Every series whose labels satisfy all `matchers`, ordered by labels.
  virtual Result<std::vector<SeriesRef>> Select(const LabelMatchers& matchers) = 0;

  // Samples of `id` with mint_ms <= timestamp <= maxt_ms, by timestamp.
  virtual Result<std::vector<SamplePoint>> ReadSamples(SeriesId id, int64_t mint_ms,
                                                       int64_t maxt_ms) = 0;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_SERIES_READER_H_
