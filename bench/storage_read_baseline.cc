#include "bench/storage_read_baseline.h"

#include <utility>

namespace wattline::bench {

using aggregator::Rollup;
using aggregator::SamplePoint;
using aggregator::SeriesId;

Result<std::unique_ptr<RowPerSampleBaseline>> RowPerSampleBaseline::Open(const std::string& path) {
  SqliteDb::Options options;
  options.synchronous = SqliteDb::Synchronous::kNormal;
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path, options);
  if (!db.ok()) return db.status();
  WATTLINE_RETURN_IF_ERROR((*db)->Exec(
      "CREATE TABLE IF NOT EXISTS samples (series_id INTEGER NOT NULL, ts_ms INTEGER NOT NULL, "
      "value REAL NOT NULL, PRIMARY KEY (series_id, ts_ms)) WITHOUT ROWID"));
  return std::unique_ptr<RowPerSampleBaseline>(new RowPerSampleBaseline(std::move(*db)));
}

Status RowPerSampleBaseline::Append(const std::vector<SeriesSamples>& series) {
  Transaction txn(*db_);
  WATTLINE_RETURN_IF_ERROR(txn.status());
  Result<Statement> insert =
      db_->Prepare("INSERT OR REPLACE INTO samples (series_id, ts_ms, value) VALUES (?1, ?2, ?3)");
  if (!insert.ok()) return insert.status();
  for (const SeriesSamples& one : series) {
    const auto [it, added] =
        ids_.try_emplace(LabelsToString(one.labels), static_cast<SeriesId>(ids_.size() + 1));
    for (size_t i = 0; i < one.timestamps_ms.size(); ++i) {
      insert->Reset();
      insert->Bind(1, it->second).Bind(2, one.timestamps_ms[i]).Bind(3, one.values[i]);
      WATTLINE_RETURN_IF_ERROR(insert->Run());
    }
  }
  return txn.Commit();
}

Result<SeriesId> RowPerSampleBaseline::IdOf(const Labels& labels) const {
  const std::string key = LabelsToString(labels);
  const auto it = ids_.find(key);
  if (it == ids_.end()) return Status::NotFound("no series " + key + " in the baseline");
  return it->second;
}

Result<std::vector<SamplePoint>> RowPerSampleBaseline::ReadSamples(SeriesId id, int64_t mint_ms,
                                                                   int64_t maxt_ms) {
  // Prepared per read, as the engine prepares its chunk query per read.
  Result<Statement> rows = db_->Prepare(
      "SELECT ts_ms, value FROM samples WHERE series_id = ?1 AND ts_ms BETWEEN ?2 AND ?3 "
      "ORDER BY ts_ms");
  if (!rows.ok()) return rows.status();
  rows->Bind(1, id).Bind(2, mint_ms).Bind(3, maxt_ms);
  std::vector<SamplePoint> out;
  while (true) {
    Result<bool> row = rows->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({rows->ColumnInt64(0), rows->ColumnDouble(1)});
  }
  return out;
}

Result<std::vector<Rollup>> RowPerSampleBaseline::ReadHourRollups(SeriesId id, int64_t mint_ms,
                                                                  int64_t maxt_ms) {
  Result<std::vector<SamplePoint>> samples = ReadSamples(id, mint_ms, maxt_ms);
  if (!samples.ok()) return samples.status();
  return aggregator::ComputeRollups(*samples, aggregator::kHourResolutionMs);
}

}  // namespace wattline::bench
