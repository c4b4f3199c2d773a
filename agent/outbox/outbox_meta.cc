#include "agent/outbox/outbox_meta.h"

#include <string>
#include <string_view>

namespace wattline::agent {
namespace {

// The names are read by the fault tests and by anyone with the sqlite3 shell:
// they are part of the format and never change.
constexpr std::array<std::string_view, OutboxMeta::kKeyCount> kNames = {
    "next_sequence",           "sealed_batches",        "sealed_samples",
    "parked_samples",          "dropped_batches.bytes", "dropped_batches.age",
    "dropped_batches.untimed", "dropped_samples.bytes", "dropped_samples.age",
    "dropped_samples.untimed",
};

}  // namespace

Result<OutboxMeta> OutboxMeta::Load(SqliteDb& db) {
  Result<Statement> stmt = db.Prepare("SELECT key, value FROM meta");
  if (!stmt.ok()) return stmt.status();
  OutboxMeta meta;
  bool has_next_sequence = false;
  while (true) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status().WithContext("read outbox meta");
    if (!*row) break;
    for (size_t key = 0; key < kKeyCount; ++key) {
      if (stmt->ColumnText(0) != kNames[key]) continue;
      meta.values_[key] = stmt->ColumnInt64(1);
      if (key == kNextSequence) has_next_sequence = true;
    }
  }
  if (!has_next_sequence) return Status::Corruption("outbox meta has no next_sequence");
  return meta;
}

Status OutboxMeta::WriteChanges(SqliteDb& db, const OutboxMeta& stored) const {
  if (*this == stored) return Status::Ok();
  Result<Statement> stmt = db.Prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  for (size_t key = 0; key < kKeyCount; ++key) {
    if (values_[key] == stored.values_[key]) continue;
    stmt->Reset();
    stmt->BindText(1, kNames[key]).Bind(2, values_[key]);
    WATTLINE_RETURN_IF_ERROR(
        stmt->Run().WithContext("write outbox meta " + std::string(kNames[key])));
  }
  return Status::Ok();
}

}  // namespace wattline::agent
