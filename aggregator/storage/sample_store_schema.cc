// The storage file's schema versions (SampleStoreSchemas()), and the
// one-time conversion of the earlier samples table into chunks.
#include <bit>

#include "aggregator/storage/chunk_codec.h"
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

// Version 5: chunks and rollups live in a file of their own
// (ChunkFilePath()): SampleStore::MigrateFiles() copies them there
// before this drops them.
constexpr const char* kSchemaV5 = R"sql(
DROP TABLE chunks;
DROP TABLE quarantined_chunks;
DROP TABLE rollups;
)sql";

const std::vector<std::string_view> kSchemas = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4,
                                                kSchemaV5};

// The chunk file's versions, as for the main file's.
constexpr const char* kChunkSchemaV1 = R"sql(
CREATE TABLE chunks (
  series_id INTEGER NOT NULL,
  window_start_ms INTEGER NOT NULL,     -- aligned to kChunkWindowMs
  samples INTEGER NOT NULL,
  checksum INTEGER NOT NULL,            -- StoredChecksum(data)
  data BLOB NOT NULL,                   -- chunk_codec.h
  PRIMARY KEY (series_id, window_start_ms)
);
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

const std::vector<std::string_view> kChunkSchemas = {kChunkSchemaV1};

}  // namespace

const std::vector<std::string_view>& SampleStoreSchemas() { return kSchemas; }

const std::vector<std::string_view>& ChunkFileSchemas() { return kChunkSchemas; }

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
    Status copied = writer_->Exec(
        "BEGIN IMMEDIATE;"
        "INSERT OR REPLACE INTO chunk_file.chunks (series_id, window_start_ms, samples, "
        "  checksum, data) SELECT series_id, window_start_ms, samples, checksum, data "
        "  FROM main.chunks;"
        "INSERT INTO chunk_file.quarantined_chunks SELECT * FROM main.quarantined_chunks;"
        "INSERT OR REPLACE INTO chunk_file.rollups SELECT * FROM main.rollups;"
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
    Result<Statement> exists =
        writer_->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'samples'");
    if (!exists.ok()) return exists.status();
    Result<bool> found = exists->Step();
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
        "INSERT OR REPLACE INTO chunks (series_id, window_start_ms, samples, checksum, data) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!insert.ok()) return insert.status();
    SeriesId series = 0;
    int64_t window = 0;
    std::vector<SamplePoint> samples;
    auto write_chunk = [&]() -> Status {
      if (samples.empty()) return Status::Ok();
      const std::string data = EncodeChunk(samples);
      insert->Bind(1, series)
          .Bind(2, window)
          .Bind(3, static_cast<int64_t>(samples.size()))
          .Bind(4, StoredChecksum(data))
          .BindBlob(5, data);
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
