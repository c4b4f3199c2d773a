#include "agent/state/source_state_store.h"

#include <vector>

namespace wattline::agent {
namespace {

// Version 1. Later versions are appended to the list in Open(); never edit.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE source_state (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
)sql";

}  // namespace

Result<std::unique_ptr<SourceStateStore>> SourceStateStore::Open(const std::string& path) {
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path, SqliteDb::Options{});
  if (!db.ok()) return db.status().WithContext("cannot open source state store");
  WATTLINE_RETURN_IF_ERROR(
      MigrateSchema(**db, {kSchemaV1}).WithContext("source state store " + path));
  return std::unique_ptr<SourceStateStore>(new SourceStateStore(std::move(*db)));
}

Result<std::optional<std::string>> SourceStateStore::Get(std::string_view key) {
  Result<Statement> stmt = db_->Prepare("SELECT value FROM source_state WHERE key = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, key);
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status().WithContext("source state " + std::string(key));
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(stmt->ColumnBlob(0)));
}

Status SourceStateStore::Put(std::string_view key, std::string_view value) {
  Result<Statement> stmt =
      db_->Prepare("INSERT OR REPLACE INTO source_state (key, value) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, key).BindBlob(2, value);
  // One statement in autocommit mode is one transaction; Run() reports the
  // result of its commit.
  return stmt->Run().WithContext("store source state " + std::string(key));
}

Status SourceStateStore::Delete(std::string_view key) {
  Result<Statement> stmt = db_->Prepare("DELETE FROM source_state WHERE key = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, key);
  return stmt->Run().WithContext("delete source state " + std::string(key));
}

}  // namespace wattline::agent
