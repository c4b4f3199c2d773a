// The SQLite adapter: the one place that turns SQLite result codes into
// Status. The agent's outbox and the aggregator's storage both sit on it.
//
// Durability: databases open in WAL mode with synchronous=FULL unless the
// caller asks otherwise, so a COMMIT that returned OK survives power loss.
// Every BEGIN/COMMIT goes through Transaction and its result is checked.
//
// Thread-safety: a SqliteDb and its Statements belong to one thread at a time.
#ifndef WATTLINE_COMMON_SQLITE_DB_H_
#define WATTLINE_COMMON_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace wattline {

class SqliteDb;

// A prepared statement. Bind indexes start at 1, column indexes at 0. When
// it is destroyed it goes back to its connection's cache, reset, so that
// preparing the same SQL again costs a lookup instead of a compile.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& BindText(int index, std::string_view value);
  Statement& BindBlob(int index, std::string_view value);
  Statement& BindNull(int index);

  // Runs one step: true when a row is ready, false when done. A failed bind
  // before it is reported here.
  Result<bool> Step();
  // Steps until done; for statements that return no rows.
  Status Run();
  // Clears bindings and rewinds, so the statement can run again.
  void Reset();

  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string_view ColumnText(int column) const;
  std::string_view ColumnBlob(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class SqliteDb;
  Statement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void NoteBind(int rc);

  SqliteDb* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = 0;
};

class SqliteDb {
 public:
  enum class Synchronous { kOff, kNormal, kFull };

  struct Options {
    bool create = true;
    Synchronous synchronous = Synchronous::kFull;
    int busy_timeout_ms = 5000;
    // Permissions of a newly created database file (and its -wal/-shm).
    unsigned file_mode = 0600;
    // Page size of a newly created database (0: SQLite's default), and
    // whether it can give free pages back to the file system (PRAGMA
    // incremental_vacuum). Neither changes afterwards without a VACUUM.
    int page_size = 0;
    bool incremental_vacuum = false;
  };

  // Opens (or creates) `path` and switches it to WAL mode.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, const Options& options);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  // A statement for `sql`: one this connection prepared before and is not
  // in use, or a new one.
  Result<Statement> Prepare(std::string_view sql);

  // The first column of the first row `sql` gives, as an integer; NotFound
  // if it gives no row.
  Result<int64_t> QueryInt64(std::string_view sql);

  // The schema version kept in PRAGMA user_version.
  Result<int64_t> UserVersion();
  Status SetUserVersion(int64_t version);

  // Whether the table `name` exists (tables made on first use).
  Result<bool> HasTable(std::string_view name);

  int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }

  // Status for an SQLite result code, with the connection's message.
  Status ErrorStatus(int rc, std::string_view what) const;

 private:
  friend class Statement;
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  // Takes back a statement no longer in use: reset, it waits in the cache.
  void Recycle(sqlite3_stmt* stmt);

  // Enough for every statement a connection runs over and over (the
  // storage's reads and writes); beyond it the least recently kept goes.
  static constexpr size_t kMaxIdleStatements = 32;

  sqlite3* db_;
  std::string path_;
  std::vector<std::pair<std::string, sqlite3_stmt*>> idle_statements_;  // oldest first
};

// Brings `db` to the newest schema: schemas[i] is the SQL that takes version
// i to version i + 1 (PRAGMA user_version), applied in order, each in its own
// transaction. Schemas are only ever appended, never edited. A database newer
// than this code is refused (InvalidArgument) rather than misread.
Status MigrateSchema(SqliteDb& db, const std::vector<std::string_view>& schemas);

// BEGIN IMMEDIATE on construction (check status()); ROLLBACK on destruction
// unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const Status& status() const { return begin_status_; }
  // The durability boundary: its result must be checked.
  Status Commit();

 private:
  SqliteDb& db_;
  Status begin_status_;
  bool open_ = false;
};

}  // namespace wattline

#endif  // WATTLINE_COMMON_SQLITE_DB_H_
