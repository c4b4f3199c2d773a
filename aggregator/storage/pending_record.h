// The samples of one write on their way into an ingest log record: gathered
// series by series (an upload's batches may repeat a series, or a sample),
// then put in time order with the last sample per timestamp kept, as the
// head would keep it.
//
// Each sample carries its source (an upload's ledger row), so a sample that
// replaces another, in this write or in the head, is counted against the
// batch that brought it.
#ifndef WATTLINE_AGGREGATOR_STORAGE_PENDING_RECORD_H_
#define WATTLINE_AGGREGATOR_STORAGE_PENDING_RECORD_H_

#include <cstdint>
#include <map>
#include <vector>

#include "aggregator/storage/head.h"
#include "common/batch.h"

namespace wattline::aggregator {

class PendingRecord {
 public:
  // Adds the samples of `series` (any order) as series `id` from `source`.
  void Add(SeriesId id, const SeriesSamples& series, uint32_t source);

  // The record: series by id, samples by strictly increasing timestamp.
  // `overwritten[source]` (sized by the caller) grows by the samples of that
  // source that replace one, earlier in this write or held by `head`.
  std::vector<SeriesRecord> Finish(const Head& head, std::vector<uint64_t>* overwritten);

  uint64_t samples() const { return samples_; }

 private:
  struct Entry {
    int64_t timestamp_ms;
    double value;
    uint32_t source;
  };
  std::map<SeriesId, std::vector<Entry>> series_;
  uint64_t samples_ = 0;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_PENDING_RECORD_H_
