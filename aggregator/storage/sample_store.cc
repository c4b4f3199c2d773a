#include "aggregator/storage/sample_store.h"

#include <bit>

namespace wattline::aggregator {
namespace {

// Version 1. Later versions are appended to kSchemas; never edit this.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE            -- LabelsToString(), the identity
);
CREATE TABLE series_labels (
  series_id INTEGER NOT NULL REFERENCES series(id),
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (series_id, name)
) WITHOUT ROWID;
CREATE TABLE samples (
  series_id INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  value_bits INTEGER NOT NULL,        -- the float64's bit pattern
  PRIMARY KEY (series_id, ts_ms)
) WITHOUT ROWID;
CREATE TABLE agent_batches (
  agent TEXT NOT NULL,
  outbox_id INTEGER NOT NULL,
  last_sequence INTEGER NOT NULL,
  PRIMARY KEY (agent, outbox_id)
) WITHOUT ROWID;
)sql";

const std::vector<std::string_view> kSchemas = {kSchemaV1};

Labels WithAgent(const Labels& labels, std::string_view agent) {
  Labels out;
  out.reserve(labels.size() + 1);
  bool placed = false;
  for (const Label& label : labels) {
    if (label.name == kAgentLabel) continue;
    if (!placed && label.name > kAgentLabel) {
      out.push_back(Label{std::string(kAgentLabel), std::string(agent)});
      placed = true;
    }
    out.push_back(label);
  }
  if (!placed) out.push_back(Label{std::string(kAgentLabel), std::string(agent)});
  return out;
}

}  // namespace

Result<std::unique_ptr<SampleStore>> SampleStore::Open(const std::string& path) {
  auto writer = SqliteDb::Open(path, SqliteDb::Options{});
  if (!writer.ok()) return writer.status().WithContext("cannot open storage");
  Status migrated = MigrateSchema(**writer, kSchemas);
  if (!migrated.ok()) return migrated.WithContext("cannot open storage " + path);
  SqliteDb::Options read_options;
  read_options.create = false;
  auto reader = SqliteDb::Open(path, read_options);
  if (!reader.ok()) return reader.status().WithContext("cannot open storage");
  std::unique_ptr<SampleStore> store(new SampleStore(std::move(*writer), std::move(*reader)));
  WATTLINE_RETURN_IF_ERROR(store->LoadSeries().WithContext("cannot load series of " + path));
  return store;
}

Status SampleStore::LoadSeries() {
  Result<Statement> stmt =
      reader_->Prepare("SELECT series_id, name, value FROM series_labels ORDER BY series_id, name");
  if (!stmt.ok()) return stmt.status();
  std::map<SeriesId, Labels> loaded;
  while (true) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    loaded[stmt->ColumnInt64(0)].push_back(
        Label{std::string(stmt->ColumnText(1)), std::string(stmt->ColumnText(2))});
  }
  std::lock_guard<std::mutex> lock(index_mutex_);
  for (auto& [id, labels] : loaded) {
    std::string key = LabelsToString(labels);
    series_.emplace(std::move(key), SeriesRef{id, std::move(labels)});
  }
  return Status::Ok();
}

Result<SeriesId> SampleStore::SeriesIdFor(const Labels& labels, std::vector<SeriesRef>* created) {
  std::string key = LabelsToString(labels);
  {
    std::lock_guard<std::mutex> lock(index_mutex_);
    auto it = series_.find(key);
    if (it != series_.end()) return it->second.id;
  }
  for (const SeriesRef& ref : *created) {
    if (LabelsToString(ref.labels) == key) return ref.id;
  }
  Result<Statement> insert = writer_->Prepare("INSERT INTO series (key) VALUES (?1)");
  if (!insert.ok()) return insert.status();
  insert->BindText(1, key);
  WATTLINE_RETURN_IF_ERROR(insert->Run());
  SeriesId id = writer_->LastInsertRowId();
  Result<Statement> label_insert =
      writer_->Prepare("INSERT INTO series_labels (series_id, name, value) VALUES (?1, ?2, ?3)");
  if (!label_insert.ok()) return label_insert.status();
  for (const Label& label : labels) {
    label_insert->Bind(1, id).BindText(2, label.name).BindText(3, label.value);
    WATTLINE_RETURN_IF_ERROR(label_insert->Run());
    label_insert->Reset();
  }
  created->push_back(SeriesRef{id, labels});
  return id;
}

Result<AppendResult> SampleStore::Append(std::string_view agent, const Batch& batch) {
  std::lock_guard<std::mutex> lock(write_mutex_);
  Transaction txn(*writer_);
  WATTLINE_RETURN_IF_ERROR(txn.status());

  Result<Statement> seen = writer_->Prepare(
      "SELECT last_sequence FROM agent_batches WHERE agent = ?1 AND outbox_id = ?2");
  if (!seen.ok()) return seen.status();
  seen->BindText(1, agent).Bind(2, static_cast<int64_t>(batch.outbox_id));
  Result<bool> row = seen->Step();
  if (!row.ok()) return row.status();
  if (*row && static_cast<uint64_t>(seen->ColumnInt64(0)) >= batch.sequence) {
    return AppendResult{true, 0};
  }

  std::vector<SeriesRef> created;
  Result<Statement> insert = writer_->Prepare(
      "INSERT OR REPLACE INTO samples (series_id, ts_ms, value_bits) VALUES (?1, ?2, ?3)");
  if (!insert.ok()) return insert.status();
  size_t written = 0;
  for (const SeriesSamples& series : batch.series) {
    Result<SeriesId> id = SeriesIdFor(WithAgent(series.labels, agent), &created);
    if (!id.ok()) return id.status();
    for (size_t i = 0; i < series.values.size(); ++i) {
      insert->Bind(1, *id)
          .Bind(2, series.timestamps_ms[i])
          .Bind(3, std::bit_cast<int64_t>(series.values[i]));
      WATTLINE_RETURN_IF_ERROR(insert->Run());
      insert->Reset();
      ++written;
    }
  }
  Result<Statement> mark = writer_->Prepare(
      "INSERT OR REPLACE INTO agent_batches (agent, outbox_id, last_sequence) VALUES (?1, ?2, ?3)");
  if (!mark.ok()) return mark.status();
  mark->BindText(1, agent)
      .Bind(2, static_cast<int64_t>(batch.outbox_id))
      .Bind(3, static_cast<int64_t>(batch.sequence));
  WATTLINE_RETURN_IF_ERROR(mark->Run());
  WATTLINE_RETURN_IF_ERROR(txn.Commit().WithContext("commit batch"));

  // Only committed series become visible to queries.
  std::lock_guard<std::mutex> index_lock(index_mutex_);
  for (SeriesRef& ref : created) {
    std::string key = LabelsToString(ref.labels);
    series_.emplace(std::move(key), std::move(ref));
  }
  return AppendResult{false, written};
}

Result<std::vector<SeriesRef>> SampleStore::Select(const LabelMatchers& matchers) {
  std::vector<SeriesRef> out;
  std::lock_guard<std::mutex> lock(index_mutex_);
  for (const auto& [key, ref] : series_) {
    if (MatchesAll(matchers, ref.labels)) out.push_back(ref);
  }
  return out;
}

Result<std::vector<SamplePoint>> SampleStore::ReadSamples(SeriesId id, int64_t mint_ms,
                                                          int64_t maxt_ms) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  Result<Statement> stmt = reader_->Prepare(
      "SELECT ts_ms, value_bits FROM samples WHERE series_id = ?1 AND ts_ms BETWEEN ?2 AND ?3 "
      "ORDER BY ts_ms");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id).Bind(2, mint_ms).Bind(3, maxt_ms);
  std::vector<SamplePoint> out;
  while (true) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(SamplePoint{stmt->ColumnInt64(0), std::bit_cast<double>(stmt->ColumnInt64(1))});
  }
  return out;
}

Result<StoreStats> SampleStore::Stats() {
  std::lock_guard<std::mutex> lock(read_mutex_);
  Result<Statement> stmt =
      reader_->Prepare("SELECT (SELECT count(*) FROM series), (SELECT count(*) FROM samples)");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  return StoreStats{stmt->ColumnInt64(0), stmt->ColumnInt64(1)};
}

}  // namespace wattline::aggregator
