// The baseline of the storage read bench (storage_read_bench.cc): the layout
// the storage engine replaced, one SQLite row per sample,
//
//   samples (series_id, ts_ms, value) PRIMARY KEY (series_id, ts_ms) WITHOUT ROWID
//
// loaded with the same samples as the engine, and read the way it was read:
// raw rows by range, and hourly buckets computed from them on every read
// (what the engine's stored rollups save). Only for the bench: no series
// table, no durability beyond SQLite's WAL with synchronous=NORMAL.
//
// Thread-safety: one thread at a time.
#ifndef WATTLINE_BENCH_STORAGE_READ_BASELINE_H_
#define WATTLINE_BENCH_STORAGE_READ_BASELINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "aggregator/storage/rollup.h"
#include "aggregator/storage/series_reader.h"
#include "common/batch.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace wattline::bench {

class RowPerSampleBaseline {
 public:
  // Opens (or creates) the table in the file at `path`.
  static Result<std::unique_ptr<RowPerSampleBaseline>> Open(const std::string& path);

  // Inserts every sample in one transaction. Series are numbered in the
  // order first seen (IdOf); a repeated (series, timestamp) replaces the row.
  Status Append(const std::vector<SeriesSamples>& series);

  // The id Append gave `labels`; NotFound if it never saw them.
  Result<aggregator::SeriesId> IdOf(const Labels& labels) const;

  // Samples with mint_ms <= ts_ms <= maxt_ms, by time.
  Result<std::vector<aggregator::SamplePoint>> ReadSamples(aggregator::SeriesId id, int64_t mint_ms,
                                                           int64_t maxt_ms);
  // Hourly buckets over [mint_ms, maxt_ms], computed from the raw rows.
  Result<std::vector<aggregator::Rollup>> ReadHourRollups(aggregator::SeriesId id, int64_t mint_ms,
                                                          int64_t maxt_ms);

 private:
  explicit RowPerSampleBaseline(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  std::unique_ptr<SqliteDb> db_;
  std::unordered_map<std::string, aggregator::SeriesId> ids_;  // by LabelsToString()
};

}  // namespace wattline::bench

#endif  // WATTLINE_BENCH_STORAGE_READ_BASELINE_H_
