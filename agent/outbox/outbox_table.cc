#include "agent/outbox/outbox_table.h"

#include <random>

#include "common/batch.h"

namespace wattline::agent {
namespace {

// Rows of (text, integer) as a map: the first column keys the second.
Result<std::map<std::string, int64_t>> ReadTextToInt(Statement& stmt) {
  std::map<std::string, int64_t> out;
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out[std::string(stmt.ColumnText(0))] = stmt.ColumnInt64(1);
  }
}

// Version 1. Later versions are appended; never edit a released one.
constexpr std::string_view kSchemaV1 = R"sql(
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

// Version 2: bounds, provisional time, parking. The added columns sit after
// the blob in each row, so reading them from the table would walk a large
// frame's overflow pages: batches_metadata covers every metadata query
// instead. The two partial indexes serve the age bound and the held count.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE batches ADD COLUMN frame_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE batches SET frame_bytes = length(frame);
ALTER TABLE batches ADD COLUMN provisional_boot TEXT;
ALTER TABLE batches ADD COLUMN parked_reason TEXT;
CREATE INDEX batches_metadata
  ON batches (sequence, frame_bytes, sample_count, sealed_at_ms, provisional_boot, parked_reason);
CREATE INDEX batches_timed
  ON batches (sealed_at_ms, parked_reason) WHERE provisional_boot IS NULL;
CREATE INDEX batches_provisional
  ON batches (provisional_boot, parked_reason) WHERE provisional_boot IS NOT NULL;
CREATE TABLE clock_offsets (
  boot_id TEXT PRIMARY KEY,
  offset_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

constexpr std::string_view kInfoColumns =
    "sequence, sealed_at_ms, sample_count, frame_bytes, provisional_boot, "
    "parked_reason IS NOT NULL";

BatchInfo ReadInfo(const Statement& stmt) {
  return BatchInfo{static_cast<uint64_t>(stmt.ColumnInt64(0)),
                   stmt.ColumnInt64(1),
                   stmt.ColumnInt64(2),
                   stmt.ColumnInt64(3),
                   std::string(stmt.ColumnText(4)),
                   stmt.ColumnInt64(5) != 0};
}

uint64_t RandomOutboxId() {
  std::random_device device;
  uint64_t id = 0;
  while (id == 0) id = (uint64_t{device()} << 32) ^ device();
  return id;
}

Result<std::optional<int64_t>> ReadMeta(SqliteDb& db, std::string_view key) {
  Result<Statement> stmt = db.Prepare("SELECT value FROM meta WHERE key = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, key);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->ColumnInt64(0));
}

Status WriteMeta(SqliteDb& db, std::string_view key, int64_t value) {
  Result<Statement> stmt = db.Prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, key).Bind(2, value);
  return stmt->Run();
}

}  // namespace

void BatchTotals::Add(const BatchInfo& info) {
  bytes += info.frame_bytes;
  if (info.parked) {
    ++parked_batches;
  } else {
    ++batches;
    samples += info.sample_count;
  }
}

void BatchTotals::Remove(const BatchInfo& info) {
  bytes -= info.frame_bytes;
  if (info.parked) {
    --parked_batches;
  } else {
    --batches;
    samples -= info.sample_count;
  }
}

const std::vector<std::string_view>& OutboxSchemas() {
  static const std::vector<std::string_view> schemas = {kSchemaV1, kSchemaV2};
  return schemas;
}

Result<uint64_t> OutboxTable::MigrateAndIdentify() {
  WATTLINE_RETURN_IF_ERROR(MigrateSchema(db_, OutboxSchemas()));
  Result<std::optional<int64_t>> id = ReadMeta(db_, "outbox_id");
  if (!id.ok()) return id.status();
  // The id is stored as its two's-complement int64 bit pattern.
  if (id->has_value()) return static_cast<uint64_t>(**id);
  // A new outbox gets its identity once, at creation.
  const uint64_t new_id = RandomOutboxId();
  Transaction txn(db_);
  WATTLINE_RETURN_IF_ERROR(txn.status());
  WATTLINE_RETURN_IF_ERROR(WriteMeta(db_, "outbox_id", static_cast<int64_t>(new_id)));
  WATTLINE_RETURN_IF_ERROR(WriteMeta(db_, "next_sequence", 1));
  WATTLINE_RETURN_IF_ERROR(txn.Commit());
  return new_id;
}

Status OutboxTable::Insert(const BatchInfo& info, std::string_view frame,
                           const std::string& parked_reason) {
  Result<Statement> stmt = db_.Prepare(
      "INSERT INTO batches (sequence, sealed_at_ms, sample_count, frame, frame_bytes, "
      "provisional_boot, parked_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<int64_t>(info.sequence))
      .Bind(2, info.sealed_at_ms)
      .Bind(3, info.sample_count)
      .BindBlob(4, frame)
      .Bind(5, info.frame_bytes);
  if (info.provisional_boot.empty()) {
    stmt->BindNull(6);
  } else {
    stmt->BindText(6, info.provisional_boot);
  }
  if (parked_reason.empty()) {
    stmt->BindNull(7);
  } else {
    stmt->BindText(7, parked_reason);
  }
  return stmt->Run().WithContext("store batch " + std::to_string(info.sequence));
}

Result<std::vector<BatchInfo>> OutboxTable::Collect(Statement& stmt) {
  std::vector<BatchInfo> out;
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadInfo(stmt));
  }
}

Result<std::optional<BatchInfo>> OutboxTable::Delete(uint64_t sequence) {
  Result<Statement> stmt =
      db_.Prepare("DELETE FROM batches WHERE sequence = ?1 RETURNING " + std::string(kInfoColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<int64_t>(sequence));
  Result<std::vector<BatchInfo>> deleted = Collect(*stmt);
  if (!deleted.ok())
    return deleted.status().WithContext("delete batch " + std::to_string(sequence));
  if (deleted->empty()) return std::optional<BatchInfo>();
  return std::optional<BatchInfo>(std::move(deleted->front()));
}

Result<std::optional<BatchInfo>> OutboxTable::Park(uint64_t sequence, const std::string& reason) {
  Result<Statement> stmt = db_.Prepare(
      "UPDATE batches SET parked_reason = ?2 WHERE sequence = ?1 AND parked_reason "
      "IS NULL RETURNING " +
      std::string(kInfoColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<int64_t>(sequence)).BindText(2, reason);
  Result<std::vector<BatchInfo>> parked = Collect(*stmt);
  if (!parked.ok()) return parked.status().WithContext("park batch " + std::to_string(sequence));
  if (parked->empty()) return std::optional<BatchInfo>();
  // As it was: RETURNING shows the row after the update.
  BatchInfo info = std::move(parked->front());
  info.parked = false;
  return std::optional<BatchInfo>(std::move(info));
}

Result<std::vector<BatchInfo>> OutboxTable::DeleteSealedBefore(int64_t cutoff_ms) {
  Result<Statement> stmt = db_.Prepare(
      "DELETE FROM batches WHERE provisional_boot IS NULL AND sealed_at_ms >= ?1 AND "
      "sealed_at_ms < ?2 RETURNING " +
      std::string(kInfoColumns));
  if (!stmt.ok()) return stmt.status();
  // A sealed_at_ms below 2000 is a boot-relative time, not an age.
  stmt->Bind(1, kProvisionalTimeLimitMs).Bind(2, cutoff_ms);
  return Collect(*stmt);
}

Result<std::vector<BatchInfo>> OutboxTable::DeleteUntimed(const std::string& current_boot) {
  Result<Statement> stmt = db_.Prepare(
      "DELETE FROM batches WHERE provisional_boot IS NOT NULL AND provisional_boot != ?1 AND "
      "provisional_boot NOT IN (SELECT boot_id FROM clock_offsets) RETURNING " +
      std::string(kInfoColumns));
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, current_boot);
  Result<std::vector<BatchInfo>> deleted = Collect(*stmt);
  if (!deleted.ok()) return deleted.status().WithContext("drop untimed batches");
  Result<Statement> offsets = db_.Prepare(
      "DELETE FROM clock_offsets WHERE boot_id != ?1 AND boot_id NOT IN "
      "(SELECT provisional_boot FROM batches WHERE provisional_boot IS NOT NULL)");
  if (!offsets.ok()) return offsets.status();
  offsets->BindText(1, current_boot);
  WATTLINE_RETURN_IF_ERROR(offsets->Run().WithContext("forget unused clock offsets"));
  return deleted;
}

Result<std::optional<uint64_t>> OutboxTable::LowestSequence(bool waiting_only) {
  Result<Statement> stmt =
      db_.Prepare(waiting_only ? "SELECT min(sequence) FROM batches WHERE parked_reason IS NULL"
                               : "SELECT min(sequence) FROM batches");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (stmt->ColumnIsNull(0)) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(stmt->ColumnInt64(0)));
}

Status OutboxTable::ForEachWaiting(bool newest_first,
                                   const std::function<bool(const BatchInfo&)>& visit) {
  Result<Statement> stmt =
      db_.Prepare("SELECT " + std::string(kInfoColumns) +
                  " FROM batches WHERE parked_reason IS NULL ORDER BY sequence" +
                  (newest_first ? " DESC" : ""));
  if (!stmt.ok()) return stmt.status();
  while (true) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status().WithContext("read outbox");
    if (!*row || !visit(ReadInfo(*stmt))) return Status::Ok();
  }
}

Result<std::string> OutboxTable::Frame(uint64_t sequence) {
  Result<Statement> stmt = db_.Prepare("SELECT frame FROM batches WHERE sequence = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<int64_t>(sequence));
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status().WithContext("read batch " + std::to_string(sequence));
  if (!*row) return Status::NotFound("batch " + std::to_string(sequence) + " is not stored");
  return std::string(stmt->ColumnBlob(0));
}

Result<BatchTotals> OutboxTable::Totals() {
  Result<Statement> stmt = db_.Prepare(
      "SELECT parked_reason IS NOT NULL, count(*), coalesce(sum(frame_bytes), 0), "
      "coalesce(sum(sample_count), 0) "
      "FROM batches GROUP BY 1");
  if (!stmt.ok()) return stmt.status();
  BatchTotals totals;
  while (true) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status().WithContext("sum outbox");
    if (!*row) return totals;
    totals.bytes += stmt->ColumnInt64(2);
    if (stmt->ColumnInt64(0) != 0) {
      totals.parked_batches = stmt->ColumnInt64(1);
    } else {
      totals.batches = stmt->ColumnInt64(1);
      totals.samples = stmt->ColumnInt64(3);
    }
  }
}

Result<std::map<std::string, int64_t>> OutboxTable::WaitingProvisionalByBoot() {
  Result<Statement> stmt = db_.Prepare(
      "SELECT provisional_boot, count(*) FROM batches WHERE provisional_boot IS NOT NULL AND "
      "parked_reason IS NULL GROUP BY provisional_boot");
  if (!stmt.ok()) return stmt.status();
  return ReadTextToInt(*stmt);
}

Result<std::optional<int64_t>> OutboxTable::OldestSealed(bool waiting_only) {
  Result<Statement> stmt = db_.Prepare(
      waiting_only ? "SELECT min(sealed_at_ms) FROM batches WHERE provisional_boot IS NULL AND "
                     "parked_reason IS NULL AND sealed_at_ms >= ?1"
                   : "SELECT min(sealed_at_ms) FROM batches WHERE provisional_boot IS NULL AND "
                     "sealed_at_ms >= ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, kProvisionalTimeLimitMs);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (stmt->ColumnIsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->ColumnInt64(0));
}

Result<std::map<std::string, int64_t>> OutboxTable::ClockOffsets() {
  Result<Statement> stmt = db_.Prepare("SELECT boot_id, offset_ms FROM clock_offsets");
  if (!stmt.ok()) return stmt.status();
  return ReadTextToInt(*stmt);
}

Status OutboxTable::SetClockOffset(const std::string& boot_id, int64_t offset_ms) {
  Result<Statement> stmt =
      db_.Prepare("INSERT OR REPLACE INTO clock_offsets (boot_id, offset_ms) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, boot_id).Bind(2, offset_ms);
  return stmt->Run().WithContext("store clock offset of boot " + boot_id);
}

}  // namespace wattline::agent
