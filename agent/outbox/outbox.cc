#include "agent/outbox/outbox.h"

#include <random>

namespace wattline::agent {
namespace {

// Version 1. Later versions are appended to kSchemas; never edit this.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE batches (
  sequence INTEGER PRIMARY KEY,
  sealed_at_ms INTEGER NOT NULL,
  sample_count INTEGER NOT NULL,
  frame BLOB NOT NULL
);
)sql";

uint64_t RandomOutboxId() {
  std::random_device device;
  uint64_t id = 0;
  while (id == 0) id = (uint64_t{device()} << 32) ^ device();
  return id;
}

Result<int64_t> ReadMeta(SqliteDb& db, const char* key) {
  Result<Statement> stmt = db.Prepare("SELECT value FROM meta WHERE key = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, key);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Corruption(std::string("outbox meta has no ") + key);
  return stmt->ColumnInt64(0);
}

Status WriteMeta(SqliteDb& db, const char* key, int64_t value) {
  Result<Statement> stmt = db.Prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, key).Bind(2, value);
  return stmt->Run();
}

}  // namespace

Status Outbox::Migrate(SqliteDb& db) {
  WATTLINE_RETURN_IF_ERROR(MigrateSchema(db, {kSchemaV1}));
  // A new outbox gets its identity once, at creation.
  Result<Statement> stmt = db.Prepare("SELECT count(*) FROM meta");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (stmt->ColumnInt64(0) > 0) return Status::Ok();
  Transaction txn(db);
  WATTLINE_RETURN_IF_ERROR(txn.status());
  // The id is stored as its two's-complement int64 bit pattern.
  WATTLINE_RETURN_IF_ERROR(WriteMeta(db, "outbox_id", static_cast<int64_t>(RandomOutboxId())));
  WATTLINE_RETURN_IF_ERROR(WriteMeta(db, "next_sequence", 1));
  return txn.Commit();
}

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& path) {
  auto db = SqliteDb::Open(path, SqliteDb::Options{});
  if (!db.ok()) return db.status().WithContext("cannot open outbox");
  Status migrated = Migrate(**db);
  if (!migrated.ok()) return migrated.WithContext("cannot open outbox " + path);
  Result<int64_t> id = ReadMeta(**db, "outbox_id");
  if (!id.ok()) return id.status().WithContext("cannot open outbox " + path);
  return std::unique_ptr<Outbox>(new Outbox(std::move(*db), static_cast<uint64_t>(*id)));
}

Result<uint64_t> Outbox::Seal(Batch batch) {
  Transaction txn(*db_);
  WATTLINE_RETURN_IF_ERROR(txn.status().WithContext("seal"));
  Result<int64_t> next = ReadMeta(*db_, "next_sequence");
  if (!next.ok()) return next.status().WithContext("seal");
  batch.outbox_id = outbox_id_;
  batch.sequence = static_cast<uint64_t>(*next);
  Result<std::string> frame = EncodeBatch(batch, compressor_);
  if (!frame.ok()) return frame.status().WithContext("seal");
  Result<Statement> insert = db_->Prepare(
      "INSERT INTO batches (sequence, sealed_at_ms, sample_count, frame) VALUES (?1, ?2, ?3, ?4)");
  if (!insert.ok()) return insert.status().WithContext("seal");
  insert->Bind(1, *next)
      .Bind(2, batch.sealed_at_ms)
      .Bind(3, static_cast<int64_t>(batch.SampleCount()))
      .BindBlob(4, *frame);
  WATTLINE_RETURN_IF_ERROR(insert->Run().WithContext("seal"));
  WATTLINE_RETURN_IF_ERROR(WriteMeta(*db_, "next_sequence", *next + 1).WithContext("seal"));
  WATTLINE_RETURN_IF_ERROR(txn.Commit().WithContext("seal: commit"));
  return batch.sequence;
}

Result<std::vector<SealedBatch>> Outbox::Oldest(size_t max_count) {
  Result<Statement> stmt = db_->Prepare(
      "SELECT sequence, sealed_at_ms, sample_count, frame FROM batches "
      "ORDER BY sequence LIMIT ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<int64_t>(max_count));
  std::vector<SealedBatch> out;
  while (true) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status().WithContext("read outbox");
    if (!*row) break;
    out.push_back(SealedBatch{static_cast<uint64_t>(stmt->ColumnInt64(0)), stmt->ColumnInt64(1),
                              stmt->ColumnInt64(2), std::string(stmt->ColumnBlob(3))});
  }
  return out;
}

Status Outbox::Acknowledge(uint64_t sequence) {
  Result<Statement> stmt = db_->Prepare("DELETE FROM batches WHERE sequence = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<int64_t>(sequence));
  return stmt->Run().WithContext("acknowledge batch " + std::to_string(sequence));
}

Result<OutboxStats> Outbox::Stats() {
  Result<Statement> stmt = db_->Prepare(
      "SELECT count(*), coalesce(sum(sample_count), 0), coalesce(sum(length(frame)), 0), "
      "coalesce(min(sealed_at_ms), 0) FROM batches");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  return OutboxStats{stmt->ColumnInt64(0), stmt->ColumnInt64(1), stmt->ColumnInt64(2),
                     stmt->ColumnInt64(3)};
}

}  // namespace wattline::agent
