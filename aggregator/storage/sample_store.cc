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

// Version 2: idempotency by a floor and a ledger, so batches may arrive in
// any order. A v1 high-water mark L becomes the floor L + 1: everything at or
// below L was stored.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE outbox_floors (
  agent TEXT NOT NULL,
  outbox_id INTEGER NOT NULL,         -- the uint64's bit pattern
  floor_sequence INTEGER NOT NULL,    -- every sequence below it is settled
  PRIMARY KEY (agent, outbox_id)
) WITHOUT ROWID;
CREATE TABLE stored_batches (
  agent TEXT NOT NULL,
  outbox_id INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  samples_stored INTEGER NOT NULL,
  samples_overwritten INTEGER NOT NULL,
  samples_refused INTEGER NOT NULL,
  stored_at_ms INTEGER NOT NULL,
  PRIMARY KEY (agent, outbox_id, sequence)
) WITHOUT ROWID;
INSERT INTO outbox_floors (agent, outbox_id, floor_sequence)
  SELECT agent, outbox_id, last_sequence + 1 FROM agent_batches;
DROP TABLE agent_batches;
)sql";

const std::vector<std::string_view> kSchemas = {kSchemaV1, kSchemaV2};

// SQLite integers are signed; uint64 ids and sequences are stored as their
// bit pattern and compared in C++.
int64_t AsSql(uint64_t value) { return static_cast<int64_t>(value); }

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

const std::vector<std::string_view>& SampleStoreSchemas() { return kSchemas; }

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

Result<std::unique_ptr<SampleStore::UploadWrite>> SampleStore::BeginUpload(
    std::string_view agent, uint64_t outbox_id, uint64_t floor_sequence, int64_t now_ms) {
  std::unique_ptr<UploadWrite> write(
      new UploadWrite(this, std::string(agent), outbox_id, floor_sequence, now_ms));
  WATTLINE_RETURN_IF_ERROR(write->Begin().WithContext("begin upload"));
  return write;
}

SampleStore::UploadWrite::UploadWrite(SampleStore* store, std::string agent, uint64_t outbox_id,
                                      uint64_t floor_sequence, int64_t now_ms)
    : store_(store),
      lock_(store->write_mutex_),
      txn_(*store->writer_),
      agent_(std::move(agent)),
      outbox_id_(outbox_id),
      announced_floor_(floor_sequence),
      now_ms_(now_ms) {}

SampleStore::UploadWrite::~UploadWrite() = default;

Status SampleStore::UploadWrite::Begin() {
  WATTLINE_RETURN_IF_ERROR(txn_.status());
  Result<Statement> floor = store_->writer_->Prepare(
      "SELECT floor_sequence FROM outbox_floors WHERE agent = ?1 AND outbox_id = ?2");
  if (!floor.ok()) return floor.status();
  floor->BindText(1, agent_).Bind(2, AsSql(outbox_id_));
  Result<bool> row = floor->Step();
  if (!row.ok()) return row.status();
  if (*row) stored_floor_ = static_cast<uint64_t>(floor->ColumnInt64(0));
  return Status::Ok();
}

Result<bool> SampleStore::UploadWrite::IsStored(uint64_t sequence) {
  // Below the floor stored before this upload, not the one it announces: a
  // batch an agent sends below its own floor contradicts it, and storing it
  // once is the outcome that loses nothing.
  if (sequence < stored_floor_) return true;
  Result<Statement> ledger = store_->writer_->Prepare(
      "SELECT 1 FROM stored_batches WHERE agent = ?1 AND outbox_id = ?2 AND sequence = ?3");
  if (!ledger.ok()) return ledger.status();
  ledger->BindText(1, agent_).Bind(2, AsSql(outbox_id_)).Bind(3, AsSql(sequence));
  return ledger->Step();
}

Result<StoredBatch> SampleStore::UploadWrite::Store(const Batch& batch, uint64_t samples_refused) {
  SqliteDb& db = *store_->writer_;
  // INSERT OR IGNORE, then an UPDATE where it changed nothing: the same
  // result as INSERT OR REPLACE, but each overwrite is seen and counted.
  Result<Statement> insert = db.Prepare(
      "INSERT OR IGNORE INTO samples (series_id, ts_ms, value_bits) VALUES (?1, ?2, ?3)");
  if (!insert.ok()) return insert.status();
  Result<Statement> update =
      db.Prepare("UPDATE samples SET value_bits = ?3 WHERE series_id = ?1 AND ts_ms = ?2");
  if (!update.ok()) return update.status();
  StoredBatch stored;
  for (const SeriesSamples& series : batch.series) {
    if (series.values.empty()) continue;
    Result<SeriesId> id = store_->SeriesIdFor(WithAgent(series.labels, agent_), &created_);
    if (!id.ok()) return id.status();
    for (size_t i = 0; i < series.values.size(); ++i) {
      const int64_t bits = std::bit_cast<int64_t>(series.values[i]);
      insert->Bind(1, *id).Bind(2, series.timestamps_ms[i]).Bind(3, bits);
      WATTLINE_RETURN_IF_ERROR(insert->Run());
      insert->Reset();
      if (db.Changes() == 0) {
        update->Bind(1, *id).Bind(2, series.timestamps_ms[i]).Bind(3, bits);
        WATTLINE_RETURN_IF_ERROR(update->Run());
        update->Reset();
        ++stored.samples_overwritten;
      }
      ++stored.samples_stored;
    }
  }
  // The ledger is never pruned here: the storage engine will drop rows below
  // the floor, which covers them (docs/formats/batch.md).
  Result<Statement> ledger = db.Prepare(
      "INSERT INTO stored_batches (agent, outbox_id, sequence, samples_stored, "
      "samples_overwritten, samples_refused, stored_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!ledger.ok()) return ledger.status();
  ledger->BindText(1, agent_)
      .Bind(2, AsSql(outbox_id_))
      .Bind(3, AsSql(batch.sequence))
      .Bind(4, AsSql(stored.samples_stored))
      .Bind(5, AsSql(stored.samples_overwritten))
      .Bind(6, AsSql(samples_refused))
      .Bind(7, now_ms_);
  WATTLINE_RETURN_IF_ERROR(ledger->Run().WithContext("ledger batch " +
                                                     std::to_string(batch.sequence)));
  return stored;
}

Status SampleStore::UploadWrite::Commit() {
  if (announced_floor_ > stored_floor_) {
    Result<Statement> floor = store_->writer_->Prepare(
        "INSERT OR REPLACE INTO outbox_floors (agent, outbox_id, floor_sequence) "
        "VALUES (?1, ?2, ?3)");
    if (!floor.ok()) return floor.status();
    floor->BindText(1, agent_).Bind(2, AsSql(outbox_id_)).Bind(3, AsSql(announced_floor_));
    WATTLINE_RETURN_IF_ERROR(floor->Run());
  }
  WATTLINE_RETURN_IF_ERROR(txn_.Commit().WithContext("commit upload"));
  // Only committed series become visible to queries.
  std::lock_guard<std::mutex> index_lock(store_->index_mutex_);
  for (SeriesRef& ref : created_) {
    std::string key = LabelsToString(ref.labels);
    store_->series_.emplace(std::move(key), std::move(ref));
  }
  created_.clear();
  return Status::Ok();
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
