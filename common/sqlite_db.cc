#include "common/sqlite_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wattline {
namespace {

// PRAGMA auto_vacuum's value for INCREMENTAL.
constexpr int64_t kIncrementalAutoVacuum = 2;

Status::Code CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL: return Status::Code::kResourceExhausted;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status::Code::kCorruption;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY: return Status::Code::kIoError;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Code::kUnavailable;
    case SQLITE_PERM:
    case SQLITE_AUTH: return Status::Code::kPermissionDenied;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG: return Status::Code::kInvalidArgument;
    default: return Status::Code::kInternal;
  }
}

Status MakeStatus(Status::Code code, std::string message) {
  switch (code) {
    case Status::Code::kResourceExhausted: return Status::ResourceExhausted(std::move(message));
    case Status::Code::kCorruption: return Status::Corruption(std::move(message));
    case Status::Code::kIoError: return Status::IoError(std::move(message));
    case Status::Code::kUnavailable: return Status::Unavailable(std::move(message));
    case Status::Code::kPermissionDenied: return Status::PermissionDenied(std::move(message));
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(std::move(message));
    default: return Status::Internal(std::move(message));
  }
}

const char* SynchronousPragma(SqliteDb::Synchronous s) {
  switch (s) {
    case SqliteDb::Synchronous::kOff: return "PRAGMA synchronous=OFF";
    case SqliteDb::Synchronous::kNormal: return "PRAGMA synchronous=NORMAL";
    case SqliteDb::Synchronous::kFull: return "PRAGMA synchronous=FULL";
  }
  return "PRAGMA synchronous=FULL";
}

// Creates the file with `mode` before SQLite does, so it is never briefly
// world-readable under a lax umask.
Status PreCreate(const std::string& path, unsigned mode) {
  int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return Status::IoError("cannot create " + path + ": " + std::strerror(errno));
  ::fchmod(fd, static_cast<mode_t>(mode));
  ::close(fd);
  return Status::Ok();
}

}  // namespace

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_error_(other.bind_error_) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) db_->Recycle(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    bind_error_ = other.bind_error_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) db_->Recycle(stmt_);
}

void Statement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

Statement& Statement::Bind(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}
Statement& Statement::Bind(int index, double value) {
  NoteBind(sqlite3_bind_double(stmt_, index, value));
  return *this;
}
Statement& Statement::BindText(int index, std::string_view value) {
  NoteBind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8));
  return *this;
}
Statement& Statement::BindBlob(int index, std::string_view value) {
  NoteBind(sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT));
  return *this;
}
Statement& Statement::BindNull(int index) {
  NoteBind(sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_error_ != 0) return db_->ErrorStatus(bind_error_, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->ErrorStatus(rc, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }
std::string_view Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(size)};
}
std::string_view Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr) return {};
  return {static_cast<const char*>(blob), static_cast<size_t>(size)};
}
bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, const Options& options) {
  if (options.create) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      WATTLINE_RETURN_IF_ERROR(PreCreate(path, options.file_mode));
    }
  }
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  if (rc != SQLITE_OK) {
    return MakeStatus(CodeFor(rc), "cannot open " + path + ": " +
                                       (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // Before WAL mode: a new database takes these on its first write.
  if (options.page_size > 0) {
    WATTLINE_RETURN_IF_ERROR(
        db->Exec("PRAGMA page_size=" + std::to_string(options.page_size)).WithContext(path));
  }
  if (options.incremental_vacuum) {
    // Only where the file is not incremental yet: setting the mode a file
    // already has writes the flag again, a commit of page 1 (a WAL frame)
    // at every open.
    Result<int64_t> mode = db->QueryInt64("PRAGMA auto_vacuum");
    if (!mode.ok()) return mode.status().WithContext("open " + path);
    if (*mode != kIncrementalAutoVacuum) {
      WATTLINE_RETURN_IF_ERROR(db->Exec("PRAGMA auto_vacuum=INCREMENTAL").WithContext(path));
    }
  }
  // journal_mode returns a row; Exec would ignore it, so read it back.
  Result<Statement> wal = db->Prepare("PRAGMA journal_mode=WAL");
  if (!wal.ok()) return wal.status().WithContext("open " + path);
  Result<bool> row = wal->Step();
  if (!row.ok()) return row.status().WithContext("open " + path);
  if (!*row || wal->ColumnText(0) != "wal") {
    return Status::IoError("open " + path + ": cannot switch to WAL mode");
  }
  WATTLINE_RETURN_IF_ERROR(db->Exec(SynchronousPragma(options.synchronous)).WithContext(path));
  WATTLINE_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON").WithContext(path));
  return db;
}

SqliteDb::~SqliteDb() {
  // Before closing: close_v2 leaves a connection with live statements open.
  for (auto& [sql, stmt] : idle_statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void SqliteDb::Recycle(sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  std::string_view sql = sqlite3_sql(stmt);
  const bool kept = std::any_of(idle_statements_.begin(), idle_statements_.end(),
                                [&](const auto& idle) { return idle.first == sql; });
  if (kept) {
    sqlite3_finalize(stmt);  // a second copy, used while the first was in use
    return;
  }
  if (idle_statements_.size() == kMaxIdleStatements) {
    sqlite3_finalize(idle_statements_.front().second);
    idle_statements_.erase(idle_statements_.begin());
  }
  idle_statements_.emplace_back(std::string(sql), stmt);
}

Status SqliteDb::ErrorStatus(int rc, std::string_view what) const {
  std::string message(what);
  message += ": ";
  message += sqlite3_errmsg(db_);
  if ((rc & 0xff) == SQLITE_FULL) message += " (disk full)";
  return MakeStatus(CodeFor(rc), std::move(message));
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = text + ": " + (error ? error : sqlite3_errstr(rc));
  sqlite3_free(error);
  return MakeStatus(CodeFor(rc), std::move(message));
}

Result<Statement> SqliteDb::Prepare(std::string_view sql) {
  for (auto idle = idle_statements_.begin(); idle != idle_statements_.end(); ++idle) {
    if (idle->first == sql) {
      sqlite3_stmt* reused = idle->second;
      idle_statements_.erase(idle);
      return Statement(this, reused);
    }
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(rc, "prepare " + std::string(sql));
  return Statement(this, stmt);
}

Result<int64_t> SqliteDb::QueryInt64(std::string_view sql) {
  Result<Statement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(std::string(sql) + ": no row");
  return stmt->ColumnInt64(0);
}

Result<int64_t> SqliteDb::UserVersion() { return QueryInt64("PRAGMA user_version"); }

Result<bool> SqliteDb::HasTable(std::string_view name) {
  Result<Statement> stmt =
      Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, name);
  return stmt->Step();
}

Status SqliteDb::SetUserVersion(int64_t version) {
  return Exec("PRAGMA user_version=" + std::to_string(version));
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int SqliteDb::Changes() const { return sqlite3_changes(db_); }

Status MigrateSchema(SqliteDb& db, const std::vector<std::string_view>& schemas) {
  Result<int64_t> version = db.UserVersion();
  if (!version.ok()) return version.status();
  const auto newest = static_cast<int64_t>(schemas.size());
  if (*version > newest) {
    return Status::InvalidArgument("schema version " + std::to_string(*version) +
                                   " is newer than this program understands (" +
                                   std::to_string(newest) + ")");
  }
  for (int64_t v = *version; v < newest; ++v) {
    Transaction txn(db);
    WATTLINE_RETURN_IF_ERROR(txn.status());
    WATTLINE_RETURN_IF_ERROR(db.Exec(schemas[static_cast<size_t>(v)]));
    WATTLINE_RETURN_IF_ERROR(db.SetUserVersion(v + 1));
    WATTLINE_RETURN_IF_ERROR(txn.Commit().WithContext("migrate to schema " + std::to_string(v + 1)));
  }
  return Status::Ok();
}

Transaction::Transaction(SqliteDb& db) : db_(db) {
  begin_status_ = db_.Exec("BEGIN IMMEDIATE");
  open_ = begin_status_.ok();
}

Transaction::~Transaction() {
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (!open_) return begin_status_.ok() ? Status::Internal("transaction already ended") : begin_status_;
  Status status = db_.Exec("COMMIT");
  if (status.ok()) open_ = false;
  return status;
}

}  // namespace wattline
