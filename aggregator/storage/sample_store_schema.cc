// The storage file's schema versions (SampleStoreSchemas()), and the
// one-time conversion of the earlier samples table into chunks.
#include <bit>

#include "aggregator/storage/chunk_codec.h"
#include "aggregator/storage/row_key.h"
#include "aggregator/storage/sample_store.h"
#include "aggregator/storage/stored_blob.h"
#include "common/log.h"

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

// Version 3: the chunk engine. The v2 samples table is converted into chunks
// by ConvertLegacySamples() at the first open, then dropped.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE ingest_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: the head orders by it
  record BLOB NOT NULL                  -- ingest_log_record.h
);
CREATE TABLE chunks (
  series_id INTEGER NOT NULL,
  window_start_ms INTEGER NOT NULL,     -- aligned to kChunkWindowMs
  samples INTEGER NOT NULL,
  checksum INTEGER NOT NULL,            -- StoredChecksum(data)
  data BLOB NOT NULL,                   -- chunk_codec.h
  PRIMARY KEY (series_id, window_start_ms)
);
-- What each outbox's uploads stored, in total: the ledger's rows go as the
-- floor rises, these stay.
ALTER TABLE outbox_floors ADD COLUMN batches_stored INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_floors ADD COLUMN samples_stored INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_floors ADD COLUMN samples_overwritten INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_floors ADD COLUMN samples_refused INTEGER NOT NULL DEFAULT 0;
INSERT OR IGNORE INTO outbox_floors (agent, outbox_id, floor_sequence)
  SELECT DISTINCT agent, outbox_id, 0 FROM stored_batches;
UPDATE outbox_floors SET
  batches_stored = (SELECT count(*) FROM stored_batches b
                    WHERE b.agent = outbox_floors.agent AND b.outbox_id = outbox_floors.outbox_id),
  samples_stored = (SELECT coalesce(sum(samples_stored), 0) FROM stored_batches b
                    WHERE b.agent = outbox_floors.agent AND b.outbox_id = outbox_floors.outbox_id),
  samples_overwritten = (SELECT coalesce(sum(samples_overwritten), 0) FROM stored_batches b
                    WHERE b.agent = outbox_floors.agent AND b.outbox_id = outbox_floors.outbox_id),
  samples_refused = (SELECT coalesce(sum(samples_refused), 0) FROM stored_batches b
                    WHERE b.agent = outbox_floors.agent AND b.outbox_id = outbox_floors.outbox_id);
CREATE TABLE quarantined_chunks (       -- failed their checksum or decoding
  series_id INTEGER NOT NULL,
  window_start_ms INTEGER NOT NULL,
  quarantined_at_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  checksum INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE TABLE rollups (
  series_id INTEGER NOT NULL,
  resolution_ms INTEGER NOT NULL,       -- kMinuteResolutionMs or kHourResolutionMs
  block_start_ms INTEGER NOT NULL,      -- RollupBlockMs(resolution_ms)-aligned
  checksum INTEGER NOT NULL,            -- StoredChecksum(data)
  data BLOB NOT NULL,                   -- EncodeRollups() of the block's buckets
  PRIMARY KEY (series_id, resolution_ms, block_start_ms)
);
)sql";

// Version 4: the ingest log without AUTOINCREMENT, which rewrote the
// sqlite_sequence page in every commit (with 16 KB pages, 40% of what an
// upload's commit writes). The store numbers records itself, increasing for
// as long as it runs (SampleStore::next_log_id_).
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE ingest_log_v4 (
  id INTEGER PRIMARY KEY,               -- SampleStore::next_log_id_
  record BLOB NOT NULL                  -- ingest_log_record.h
);
INSERT INTO ingest_log_v4 (id, record) SELECT id, record FROM ingest_log;
DROP TABLE ingest_log;
ALTER TABLE ingest_log_v4 RENAME TO ingest_log;
DELETE FROM sqlite_sequence WHERE name = 'ingest_log';
)sql";

// The schemas spell row_key.h's keys out in SQL.
static_assert(kChunkWindowMs == 3'600'000 && kMinuteResolutionMs == 60'000);
static_assert(RollupBlockMs(kHourResolutionMs) == 2'592'000'000);
static_assert(kWindowKeySeriesBits == 32 && kHourBlockKeyBlockBits == 31);

// Version 5: chunks and minute rollups live in a file of their own
// (ChunkFilePath()): SampleStore::MigrateFiles() copies them there before
// this drops them. Hour rollups stay, keyed by one integer (HourBlockKey;
// the virtual columns show its parts): they are rewritten as each hour is
// cut, in the transaction that trims the ingest log, and small pages hold
// them with less unused space than the chunk file's.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE hour_rollups (
  key INTEGER PRIMARY KEY,              -- HourBlockKey(series_id, block_start_ms)
  checksum INTEGER NOT NULL,            -- StoredChecksum(data)
  data BLOB NOT NULL,                   -- EncodeRollups() of the block's buckets
  series_id INTEGER GENERATED ALWAYS AS (key >> 31) VIRTUAL,
  block_start_ms INTEGER GENERATED ALWAYS AS ((key & 2147483647) * 2592000000) VIRTUAL
);
INSERT INTO hour_rollups (key, checksum, data)
  SELECT series_id << 31 | block_start_ms / 2592000000 AS key, checksum, data
  FROM rollups WHERE resolution_ms = 3600000 ORDER BY key;
DROP TABLE chunks;
DROP TABLE quarantined_chunks;
DROP TABLE rollups;
)sql";

// Version 6: a series is its labels (series_labels), kept unique by the
// in-memory index (SeriesIndex) under the write lock. The text key and its
// unique index held every label set twice more: 74 KB for 420 series, as
// much as half a percent of a day of their samples. The labels lose their
// foreign key, which would refuse dropping the old table (both are written
// in one transaction).
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE series_labels_v6 (
  series_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (series_id, name)
) WITHOUT ROWID;
INSERT INTO series_labels_v6 SELECT series_id, name, value FROM series_labels;
DROP TABLE series_labels;
CREATE TABLE series_v6 (id INTEGER PRIMARY KEY);
INSERT INTO series_v6 (id) SELECT id FROM series;
DROP TABLE series;
ALTER TABLE series_v6 RENAME TO series;
ALTER TABLE series_labels_v6 RENAME TO series_labels;
)sql";

const std::vector<std::string_view> kSchemas = {kSchemaV1, kSchemaV2, kSchemaV3,
                                                kSchemaV4, kSchemaV5, kSchemaV6};

// The chunk file's versions, as for the main file's.
constexpr const char* kChunkSchemaV1 = R"sql(
CREATE TABLE chunks (
  key INTEGER PRIMARY KEY,              -- WindowKey(series_id, window_start_ms): row_key.h
  samples INTEGER NOT NULL,
  checksum INTEGER NOT NULL,            -- StoredChecksum(data)
  data BLOB NOT NULL,                   -- chunk_codec.h
  series_id INTEGER GENERATED ALWAYS AS (key & 4294967295) VIRTUAL,
  window_start_ms INTEGER GENERATED ALWAYS AS ((key >> 32) * 3600000) VIRTUAL
);
)sql";

// Tables made when first needed: a table costs a page (64 KB) even empty.
// Minute rollups are written as raw chunks expire (after weeks); chunks
// are quarantined when they fail their checksum or decoding.
constexpr const char* kMinuteRollupsTable = R"sql(
CREATE TABLE IF NOT EXISTS minute_rollups (
  key INTEGER PRIMARY KEY,              -- WindowKey(series_id, block_start_ms)
  checksum INTEGER NOT NULL,            -- StoredChecksum(data)
  data BLOB NOT NULL,                   -- EncodeRollups() of the block's buckets
  series_id INTEGER GENERATED ALWAYS AS (key & 4294967295) VIRTUAL,
  block_start_ms INTEGER GENERATED ALWAYS AS ((key >> 32) * 3600000) VIRTUAL
)
)sql";

constexpr const char* kQuarantineTable = R"sql(
CREATE TABLE IF NOT EXISTS quarantined_chunks (
  series_id INTEGER NOT NULL,
  window_start_ms INTEGER NOT NULL,
  quarantined_at_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  checksum INTEGER NOT NULL,
  data BLOB NOT NULL
)
)sql";

// Version 2: the chunks' count and samples, kept by triggers on every
// insert, replace and delete, so a start reads them instead of scanning
// every chunk (which read the whole file: 28 MB for 30 days of 20 homes).
// INSERT OR REPLACE fires no delete trigger (recursive_triggers is off), so
// the insert trigger takes out the row it replaces first.
constexpr const char* kChunkSchemaV2 = R"sql(
CREATE TABLE chunk_totals (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  chunks INTEGER NOT NULL,
  samples INTEGER NOT NULL
);
INSERT INTO chunk_totals SELECT 0, count(*), coalesce(sum(samples), 0) FROM chunks;
CREATE TRIGGER chunks_replaced BEFORE INSERT ON chunks BEGIN
  UPDATE chunk_totals SET
    chunks = chunks - (SELECT count(*) FROM chunks WHERE key = NEW.key),
    samples = samples - coalesce((SELECT samples FROM chunks WHERE key = NEW.key), 0);
END;
CREATE TRIGGER chunks_inserted AFTER INSERT ON chunks BEGIN
  UPDATE chunk_totals SET chunks = chunks + 1, samples = samples + NEW.samples;
END;
CREATE TRIGGER chunks_deleted AFTER DELETE ON chunks BEGIN
  UPDATE chunk_totals SET chunks = chunks - 1, samples = samples - OLD.samples;
END;
)sql";

const std::vector<std::string_view> kChunkSchemas = {kChunkSchemaV1, kChunkSchemaV2};

// Whether `table` holds a row.
Result<bool> HasRows(SqliteDb& db, const std::string& table) {
  Result<Statement> any = db.Prepare("SELECT 1 FROM " + table + " LIMIT 1");
  if (!any.ok()) return any.status();
  return any->Step();
}

}  // namespace

const std::vector<std::string_view>& SampleStoreSchemas() { return kSchemas; }

const std::vector<std::string_view>& ChunkFileSchemas() { return kChunkSchemas; }

std::string_view QuarantineTableSchema() { return kQuarantineTable; }

std::string_view MinuteRollupsTableSchema() { return kMinuteRollupsTable; }

std::string StoragePathIn(const std::string& data_dir) { return data_dir + "/samples.db"; }

std::string ChunkFilePath(const std::string& path) {
  const std::string_view suffix = ".db";
  if (path.size() > suffix.size() && path.ends_with(suffix)) {
    return path.substr(0, path.size() - suffix.size()) + "-chunks.db";
  }
  return path + "-chunks";
}

Status SampleStore::MigrateFiles() {
  // Versions 3 and 4 kept the chunks in the main file: copied over first
  // (idempotent: a crash before version 5 is recorded copies them again).
  Result<int64_t> version = writer_->UserVersion();
  if (!version.ok()) return version.status();
  const std::vector<std::string_view> before_move(kSchemas.begin(), kSchemas.begin() + 4);
  if (*version < 5) WATTLINE_RETURN_IF_ERROR(MigrateSchema(*writer_, before_move));
  WATTLINE_RETURN_IF_ERROR(MigrateSchema(*chunk_db_, kChunkSchemas));
  if (*version >= 3 && *version < 5) {
    {
      Result<Statement> attach = writer_->Prepare("ATTACH DATABASE ?1 AS chunk_file");
      if (!attach.ok()) return attach.status();
      attach->BindText(1, chunk_path_);
      WATTLINE_RETURN_IF_ERROR(attach->Run());
    }
    Result<bool> quarantined = HasRows(*writer_, "quarantined_chunks");
    if (!quarantined.ok()) return quarantined.status();
    if (*quarantined) WATTLINE_RETURN_IF_ERROR(chunk_db_->Exec(kQuarantineTable));
    WATTLINE_RETURN_IF_ERROR(chunk_db_->Exec(kMinuteRollupsTable));
    // row_key.h's keys in SQL; the rows in key order, so they append.
    Status copied = writer_->Exec(
        std::string("BEGIN IMMEDIATE;"
                    "INSERT OR REPLACE INTO chunk_file.chunks (key, samples, checksum, data) "
                    "  SELECT (window_start_ms / 3600000) << 32 | series_id AS key, samples, "
                    "  checksum, data FROM main.chunks ORDER BY key;"
                    "INSERT OR REPLACE INTO chunk_file.minute_rollups (key, checksum, data) "
                    "  SELECT (block_start_ms / 3600000) << 32 | series_id AS key, checksum, "
                    "  data FROM main.rollups WHERE resolution_ms = 60000 ORDER BY key;") +
        (*quarantined ? "INSERT INTO chunk_file.quarantined_chunks "
                        "  SELECT * FROM main.quarantined_chunks;"
                      : "") +
        "COMMIT;");
    if (!copied.ok()) (void)writer_->Exec("ROLLBACK");
    WATTLINE_RETURN_IF_ERROR(writer_->Exec("DETACH DATABASE chunk_file"));
    WATTLINE_RETURN_IF_ERROR(copied.WithContext("moving chunks to " + chunk_path_));
  }
  return MigrateSchema(*writer_, kSchemas);
}

Status SampleStore::ConvertLegacySamples() {
  if (options_.read_only) return Status::Ok();
  {
    Result<bool> found = writer_->HasTable("samples");
    if (!found.ok()) return found.status();
    if (!*found) return Status::Ok();
  }
  Transaction txn(*chunk_db_);
  WATTLINE_RETURN_IF_ERROR(txn.status());
  {  // the statements are finalised before the table goes
    Result<Statement> rows = writer_->Prepare(
        "SELECT series_id, ts_ms, value_bits FROM samples ORDER BY series_id, ts_ms");
    if (!rows.ok()) return rows.status();
    Result<Statement> insert = chunk_db_->Prepare(
        "INSERT OR REPLACE INTO chunks (key, samples, checksum, data) VALUES (?1, ?2, ?3, ?4)");
    if (!insert.ok()) return insert.status();
    SeriesId series = 0;
    int64_t window = 0;
    std::vector<SamplePoint> samples;
    auto write_chunk = [&]() -> Status {
      if (samples.empty()) return Status::Ok();
      if (!IsStorableTime(window) || series <= 0 || series >= kSeriesIdLimit) {
        return Status::InvalidArgument("series " + std::to_string(series) + " at " +
                                       std::to_string(window) + " ms cannot be converted");
      }
      const std::string data = EncodeChunk(samples);
      insert->Bind(1, WindowKey(series, window))
          .Bind(2, static_cast<int64_t>(samples.size()))
          .Bind(3, StoredChecksum(data))
          .BindBlob(4, data);
      WATTLINE_RETURN_IF_ERROR(insert->Run());
      insert->Reset();
      ++chunks_;
      chunk_samples_ += static_cast<int64_t>(samples.size());
      samples.clear();
      return Status::Ok();
    };
    while (true) {
      Result<bool> row = rows->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const SeriesId id = rows->ColumnInt64(0);
      const int64_t ts = rows->ColumnInt64(1);
      if (id != series || head_.WindowStart(ts) != window) {
        WATTLINE_RETURN_IF_ERROR(write_chunk());
        series = id;
        window = head_.WindowStart(ts);
      }
      samples.push_back(SamplePoint{ts, std::bit_cast<double>(rows->ColumnInt64(2))});
    }
    WATTLINE_RETURN_IF_ERROR(write_chunk());
  }
  if (chunks_ > 0) LogInfo("storage", "converted the samples of an earlier version into chunks");
  // Into the chunk file first, then the old table goes: a crash in between
  // converts again, over the same chunks.
  WATTLINE_RETURN_IF_ERROR(txn.Commit());
  return writer_->Exec("DROP TABLE samples");
}

}  // namespace wattline::aggregator
