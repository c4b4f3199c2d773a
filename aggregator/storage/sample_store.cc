#include "aggregator/storage/sample_store.h"

#include <algorithm>
#include <bit>
#include <filesystem>

#include "aggregator/storage/chunk_codec.h"
#include "aggregator/storage/ingest_log_record.h"
#include "aggregator/storage/reader_pool.h"
#include "aggregator/storage/row_key.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

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

// A read-only connection to `path`, whose schema must be this build's
// `schemas` (a read-only open migrates nothing); `what` names the file.
Result<std::unique_ptr<SqliteDb>> OpenAtThisVersion(const std::string& path,
                                                    const std::vector<std::string_view>& schemas,
                                                    const std::string& what) {
  SqliteDb::Options reader;
  reader.create = false;
  auto db = SqliteDb::Open(path, reader);
  if (!db.ok()) return db.status();
  Result<int64_t> version = (*db)->UserVersion();
  if (!version.ok()) return version.status();
  if (*version != static_cast<int64_t>(schemas.size())) {
    return Status::InvalidArgument(what + " schema version " + std::to_string(*version) +
                                   ", not this build's; let the aggregator open it first");
  }
  return db;
}

int64_t FileBytes(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<int64_t>(size);
}

}  // namespace

SampleStore::SampleStore(std::string path, const Clock* clock, StorageOptions options)
    : path_(std::move(path)),
      clock_(clock),
      options_(options),
      head_(kChunkWindowMs),
      chunk_path_(ChunkFilePath(path_)),
      readers_(std::make_unique<ReaderPool>(chunk_path_)),
      main_readers_(std::make_unique<ReaderPool>(path_)),
      // Read-only, another process cuts chunks: nothing could forget them.
      // A chunk's minutes are a twelfth of its samples' bytes at 1 Hz.
      chunk_cache_(options.read_only ? 0 : options.read_cache_bytes / 2),
      hour_rollup_cache_(options.read_only ? 0 : options.read_cache_bytes / 8 * 3),
      chunk_minutes_cache_(options.read_only ? 0 : options.read_cache_bytes / 8) {}

Result<std::unique_ptr<SampleStore>> SampleStore::Open(const std::string& path,
                                                       const Clock* clock,
                                                       StorageOptions options) {
  std::unique_ptr<SampleStore> store(new SampleStore(path, clock, options));
  Status opened = store->OpenConnections();
  if (opened.ok()) opened = store->LoadSeries();
  if (opened.ok()) opened = store->ConvertLegacySamples();
  if (opened.ok()) opened = store->ReplayLog();
  if (!opened.ok()) return opened.WithContext("cannot open storage " + path);
  if (!options.read_only) store->flusher_ = std::thread([raw = store.get()] { raw->RunFlusher(); });
  return store;
}

SampleStore::~SampleStore() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  if (options_.read_only || !flusher_db_) return;
  Status flushed = Flush(Head::Selection::kAll);
  // A clean stop leaves a compact file: the head in chunks, the free pages
  // (the log records that held it) given back.
  if (flushed.ok()) flushed = ReleaseFreePages(true);
  if (!flushed.ok()) {
    LogError("storage", "could not cut the head into chunks at shutdown (the ingest log keeps it "
                        "for the next start): " + flushed.ToString());
  }
}

Status SampleStore::OpenConnections() {
  if (options_.read_only) {
    auto db = OpenAtThisVersion(path_, SampleStoreSchemas(), "main file");
    if (!db.ok()) return db.status();
    // The chunk file too: its totals (version 2) are read at the start.
    auto chunks = OpenAtThisVersion(chunk_path_, ChunkFileSchemas(), "chunk file");
    if (!chunks.ok()) return chunks.status();
    writer_ = std::move(*db);  // used only for reading
    return Status::Ok();
  }
  // Small pages for the main file, which every write commits to; large ones
  // for the chunk file, which only the flusher writes, in bulk
  // (storage_layout.h). Both give free pages back to the file system; a file
  // made by an earlier version only reuses them.
  SqliteDb::Options main_options;
  main_options.page_size = kMainPageSize;
  main_options.incremental_vacuum = true;
  SqliteDb::Options chunk_options;
  chunk_options.page_size = kChunkPageSize;
  chunk_options.incremental_vacuum = true;
  auto writer = SqliteDb::Open(path_, main_options);
  if (!writer.ok()) return writer.status();
  auto chunk_db = SqliteDb::Open(chunk_path_, chunk_options);
  if (!chunk_db.ok()) return chunk_db.status();
  writer_ = std::move(*writer);
  chunk_db_ = std::move(*chunk_db);
  WATTLINE_RETURN_IF_ERROR(MigrateFiles());
  // The flusher checkpoints the WAL; a commit on the ingest path never does.
  // Once checkpointed, the WAL is cut back to a few MiB rather than keeping
  // the size of its largest burst.
  WATTLINE_RETURN_IF_ERROR(writer_->Exec("PRAGMA wal_autocheckpoint=0"));
  auto flusher = SqliteDb::Open(path_, main_options);
  if (!flusher.ok()) return flusher.status();
  flusher_db_ = std::move(*flusher);
  for (SqliteDb* db : {writer_.get(), chunk_db_.get(), flusher_db_.get()}) {
    WATTLINE_RETURN_IF_ERROR(db->Exec("PRAGMA journal_size_limit=8388608"));
  }
  return Status::Ok();
}

Status SampleStore::LoadSeries() {
  Result<Statement> stmt =
      writer_->Prepare("SELECT series_id, name, value FROM series_labels ORDER BY series_id, name");
  if (!stmt.ok()) return stmt.status();
  std::vector<SeriesRef> loaded;
  while (true) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const SeriesId id = stmt->ColumnInt64(0);
    if (loaded.empty() || loaded.back().id != id) loaded.push_back(SeriesRef{id, {}});
    loaded.back().labels.push_back(
        Label{std::string(stmt->ColumnText(1)), std::string(stmt->ColumnText(2))});
  }
  std::lock_guard<std::mutex> lock(index_mutex_);
  for (SeriesRef& ref : loaded) index_.Add(ref.id, std::move(ref.labels));
  ReaderLease reader(readers_.get());
  WATTLINE_RETURN_IF_ERROR(reader.Take());
  Result<Statement> totals = reader.db().Prepare("SELECT chunks, samples FROM chunk_totals");
  if (!totals.ok()) return totals.status();
  Result<bool> row = totals->Step();
  if (!row.ok()) return row.status();
  chunks_ = totals->ColumnInt64(0);
  chunk_samples_ = totals->ColumnInt64(1);
  return Status::Ok();
}

Status SampleStore::ReplayLog() {
  Result<Statement> rows = writer_->Prepare("SELECT id, record FROM ingest_log ORDER BY id");
  if (!rows.ok()) return rows.status();
  int64_t records = 0;
  int64_t last_id = 0;
  while (true) {
    Result<bool> row = rows->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t id = rows->ColumnInt64(0);
    last_id = id;
    Result<std::vector<SeriesRecord>> record = DecodeLogRecord(rows->ColumnBlob(1));
    if (!record.ok()) {
      // The log is SQLite's, checksummed by nothing of ours: a record that
      // does not decode is reported and skipped rather than stopping the
      // server with everything else it holds.
      ++corrupt_chunks_;
      LogError("storage", "ingest log record " + std::to_string(id) +
                              " skipped: " + record.status().ToString());
      continue;
    }
    head_.Apply(id, *record, clock_->NowMonotonicMs());
    ++records;
  }
  log_records_ = records;
  next_log_id_ = last_id + 1;
  if (records > 0) {
    LogInfo("storage", "replayed " + std::to_string(records) + " ingest log records (" +
                           std::to_string(head_.samples()) + " samples) into the head");
  }
  return Status::Ok();
}

Status SampleStore::CheckHeadRoom() const {
  if (head_.samples() < options_.head_limit_samples) return Status::Ok();
  return Status::ResourceExhausted("the head holds " + std::to_string(head_.samples()) +
                                   " samples not yet cut into chunks; retry once it drains");
}

void SampleStore::NoteWriteError(const Status& status) {
  // SQLITE_FULL is the one SQLite error that arrives as ResourceExhausted
  // (common/sqlite_db.cc).
  if (status.code() == Status::Code::kResourceExhausted) disk_full_ = true;
}

Result<SeriesId> SampleStore::SeriesIdFor(const Labels& labels, NewSeries* created) {
  std::string key = LabelsToString(labels);
  {
    std::lock_guard<std::mutex> lock(index_mutex_);
    if (std::optional<SeriesId> id = index_.Find(key)) return *id;
  }
  if (auto it = created->by_key.find(key); it != created->by_key.end()) return it->second;
  Result<Statement> insert = writer_->Prepare("INSERT INTO series DEFAULT VALUES");
  if (!insert.ok()) return insert.status();
  WATTLINE_RETURN_IF_ERROR(insert->Run());
  const SeriesId id = writer_->LastInsertRowId();
  if (id >= kSeriesIdLimit) {
    return Status::ResourceExhausted("the storage holds as many series as it can (" +
                                     std::to_string(kSeriesIdLimit - 1) + ")");
  }
  Result<Statement> label_insert =
      writer_->Prepare("INSERT INTO series_labels (series_id, name, value) VALUES (?1, ?2, ?3)");
  if (!label_insert.ok()) return label_insert.status();
  for (const Label& label : labels) {
    label_insert->Bind(1, id).BindText(2, label.name).BindText(3, label.value);
    WATTLINE_RETURN_IF_ERROR(label_insert->Run());
    label_insert->Reset();
  }
  created->refs.push_back(SeriesRef{id, labels});
  created->by_key.emplace(std::move(key), id);
  return id;
}

Result<int64_t> SampleStore::InsertLogRecord(const std::vector<SeriesRecord>& record) {
  if (record.empty()) return 0;
  Result<Statement> insert = writer_->Prepare("INSERT INTO ingest_log (id, record) VALUES (?1, ?2)");
  if (!insert.ok()) return insert.status();
  const int64_t id = next_log_id_;
  insert->Bind(1, id).BindBlob(2, EncodeLogRecord(record));
  WATTLINE_RETURN_IF_ERROR(insert->Run());
  // Taken only now: a write that fails before its commit leaves a gap,
  // which is harmless; reusing a number never is.
  ++next_log_id_;
  return id;
}

void SampleStore::Publish(NewSeries* created, int64_t log_id,
                          const std::vector<SeriesRecord>& record) {
  {
    std::lock_guard<std::mutex> lock(index_mutex_);
    for (SeriesRef& ref : created->refs) index_.Add(ref.id, std::move(ref.labels));
  }
  created->refs.clear();
  created->by_key.clear();
  if (log_id == 0) return;
  head_.Apply(log_id, record, clock_->NowMonotonicMs());
  ++log_records_;
}

Result<StoredBatch> SampleStore::Write(const std::vector<SeriesSamples>& series) {
  if (options_.read_only) return Status::InvalidArgument("storage opened read-only");
  WATTLINE_RETURN_IF_ERROR(CheckHeadRoom());
  std::lock_guard<std::mutex> lock(write_mutex_);
  Transaction txn(*writer_);
  WATTLINE_RETURN_IF_ERROR(txn.status());
  NewSeries created;
  PendingRecord pending;
  for (const SeriesSamples& one : series) {
    if (one.values.empty()) continue;
    WATTLINE_RETURN_IF_ERROR(CheckStorableTimes(one.timestamps_ms));
    Result<SeriesId> id = SeriesIdFor(one.labels, &created);
    if (!id.ok()) return id.status();
    pending.Add(*id, one, 0);
  }
  StoredBatch stored{pending.samples(), 0};
  std::vector<uint64_t> overwritten(1, 0);
  const std::vector<SeriesRecord> record = pending.Finish(head_, &overwritten);
  stored.samples_overwritten = overwritten[0];
  Result<int64_t> log_id = InsertLogRecord(record);
  if (!log_id.ok()) return log_id.status();
  Status committed = txn.Commit();
  if (!committed.ok()) {
    NoteWriteError(committed);
    return committed;
  }
  disk_full_ = false;
  Publish(&created, *log_id, record);
  return stored;
}

Result<std::unique_ptr<SampleStore::UploadWrite>> SampleStore::BeginUpload(
    std::string_view agent, uint64_t outbox_id, uint64_t floor_sequence, int64_t now_ms) {
  if (options_.read_only) return Status::InvalidArgument("storage opened read-only");
  WATTLINE_RETURN_IF_ERROR(CheckHeadRoom());
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
  if (sequences_.count(sequence)) return true;
  Result<Statement> ledger = store_->writer_->Prepare(
      "SELECT 1 FROM stored_batches WHERE agent = ?1 AND outbox_id = ?2 AND sequence = ?3");
  if (!ledger.ok()) return ledger.status();
  ledger->BindText(1, agent_).Bind(2, AsSql(outbox_id_)).Bind(3, AsSql(sequence));
  return ledger->Step();
}

Result<uint64_t> SampleStore::UploadWrite::Store(const Batch& batch, uint64_t samples_refused) {
  const auto source = static_cast<uint32_t>(ledger_.size());
  uint64_t taken = 0;
  for (const SeriesSamples& series : batch.series) {
    if (series.values.empty()) continue;
    WATTLINE_RETURN_IF_ERROR(CheckStorableTimes(series.timestamps_ms));
    Result<SeriesId> id = store_->SeriesIdFor(WithAgent(series.labels, agent_), &created_);
    if (!id.ok()) return id.status();
    pending_.Add(*id, series, source);
    taken += series.values.size();
  }
  ledger_.push_back(LedgerRow{batch.sequence, taken, 0, samples_refused});
  sequences_.insert(batch.sequence);
  return taken;
}

Result<StoredBatch> SampleStore::UploadWrite::Commit() {
  SqliteDb& db = *store_->writer_;
  std::vector<uint64_t> overwritten(ledger_.size(), 0);
  const std::vector<SeriesRecord> record = pending_.Finish(store_->head_, &overwritten);
  StoredBatch stored;
  Result<Statement> ledger = db.Prepare(
      "INSERT INTO stored_batches (agent, outbox_id, sequence, samples_stored, "
      "samples_overwritten, samples_refused, stored_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!ledger.ok()) return ledger.status();
  for (size_t i = 0; i < ledger_.size(); ++i) {
    const LedgerRow& row = ledger_[i];
    ledger->BindText(1, agent_)
        .Bind(2, AsSql(outbox_id_))
        .Bind(3, AsSql(row.sequence))
        .Bind(4, AsSql(row.samples_stored))
        .Bind(5, AsSql(overwritten[i]))
        .Bind(6, AsSql(row.samples_refused))
        .Bind(7, now_ms_);
    WATTLINE_RETURN_IF_ERROR(ledger->Run().WithContext("ledger batch " +
                                                       std::to_string(row.sequence)));
    ledger->Reset();
    stored.samples_stored += row.samples_stored;
    stored.samples_overwritten += overwritten[i];
  }
  Result<int64_t> log_id = store_->InsertLogRecord(record);
  if (!log_id.ok()) return log_id.status();
  // The floor only rises; the totals add this upload's.
  Result<Statement> floor = db.Prepare(
      "INSERT INTO outbox_floors (agent, outbox_id, floor_sequence, batches_stored, "
      "samples_stored, samples_overwritten, samples_refused) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (agent, outbox_id) DO UPDATE SET "
      "floor_sequence = max(floor_sequence, excluded.floor_sequence), "
      "batches_stored = batches_stored + excluded.batches_stored, "
      "samples_stored = samples_stored + excluded.samples_stored, "
      "samples_overwritten = samples_overwritten + excluded.samples_overwritten, "
      "samples_refused = samples_refused + excluded.samples_refused");
  if (!floor.ok()) return floor.status();
  uint64_t refused = 0;
  for (const LedgerRow& row : ledger_) refused += row.samples_refused;
  floor->BindText(1, agent_)
      .Bind(2, AsSql(outbox_id_))
      .Bind(3, AsSql(std::max(announced_floor_, stored_floor_)))
      .Bind(4, AsSql(ledger_.size()))
      .Bind(5, AsSql(stored.samples_stored))
      .Bind(6, AsSql(stored.samples_overwritten))
      .Bind(7, AsSql(refused));
  WATTLINE_RETURN_IF_ERROR(floor->Run());
  if (announced_floor_ > stored_floor_) {
    // The floor settles everything below it: those ledger rows are done.
    Result<Statement> prune = db.Prepare(
        "DELETE FROM stored_batches WHERE agent = ?1 AND outbox_id = ?2 AND sequence < ?3");
    if (!prune.ok()) return prune.status();
    prune->BindText(1, agent_).Bind(2, AsSql(outbox_id_)).Bind(3, AsSql(announced_floor_));
    WATTLINE_RETURN_IF_ERROR(prune->Run());
  }
  Status committed = txn_.Commit().WithContext("commit upload");
  if (!committed.ok()) {
    store_->NoteWriteError(committed);
    return committed;
  }
  store_->disk_full_ = false;
  store_->Publish(&created_, *log_id, record);
  return stored;
}

Result<std::vector<SeriesRef>> SampleStore::Select(const LabelMatchers& matchers) {
  std::lock_guard<std::mutex> lock(index_mutex_);
  return index_.Select(matchers);
}

Result<StoreStats> SampleStore::Stats() {
  StoreStats stats;
  {
    std::lock_guard<std::mutex> lock(index_mutex_);
    stats.series = static_cast<int64_t>(index_.size());
  }
  stats.head_samples = static_cast<int64_t>(head_.samples());
  stats.samples = chunk_samples_ + stats.head_samples;
  stats.chunks = chunks_;
  stats.log_records = log_records_;
  stats.disk_bytes = FileBytes(path_) + FileBytes(path_ + "-wal") + FileBytes(chunk_path_) +
                     FileBytes(chunk_path_ + "-wal");
  stats.flushes = flushes_;
  stats.flush_errors = flush_errors_;
  stats.samples_merged_over = samples_merged_over_;
  stats.corrupt_chunks = corrupt_chunks_;
  stats.retention_deleted_chunks = retention_deleted_chunks_;
  stats.samples_beyond_retention = samples_beyond_retention_;
  // Free pages are a figure for /metrics, which must answer however the
  // disk is doing: when they cannot be read they are reported as none.
  ReaderLease reader(readers_.get());
  if (reader.Take().ok()) {
    Result<int64_t> free_bytes = reader.db().QueryInt64(
        "SELECT freelist_count * page_size FROM pragma_freelist_count(), pragma_page_size()");
    if (free_bytes.ok()) stats.free_bytes = *free_bytes;
  }
  stats.read_cache_hits =
      chunk_cache_.hits() + hour_rollup_cache_.hits() + chunk_minutes_cache_.hits();
  stats.read_cache_misses =
      chunk_cache_.misses() + hour_rollup_cache_.misses() + chunk_minutes_cache_.misses();
  stats.read_cache_bytes = static_cast<int64_t>(chunk_cache_.bytes() + hour_rollup_cache_.bytes() +
                                                chunk_minutes_cache_.bytes());
  stats.writable = !disk_full_;
  return stats;
}

}  // namespace wattline::aggregator
