// Small persistent state of sources, as a key-value table in SQLite at
// <data_dir>/state.db: for example how far a meter's recorded history has
// been read and shipped (agent/shelly/shelly_emdata_backfill.h), so that a
// restart neither ships it twice nor leaves a hole.
//
// Keys are chosen by the sources, prefixed with their kind and device
// ("shelly_emdata/panel"); values are opaque bytes (the sources store small
// JSON documents). Writes are rare (about one per device and minute), so each
// Put() is its own transaction.
//
// Durability: WAL mode, synchronous=FULL (common/sqlite_db.h): a Put() that
// returned OK survives a power cut. The schema is versioned (PRAGMA
// user_version) and migrated forward by MigrateSchema(); a file written by a
// newer agent is refused rather than misread.
//
// Thread-safety: loop thread only. Work on the thread pool reads what it needs
// before it is queued and hands its result back to the loop for Put().
#ifndef WATTLINE_AGENT_STATE_SOURCE_STATE_STORE_H_
#define WATTLINE_AGENT_STATE_SOURCE_STATE_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/sqlite_db.h"
#include "common/status.h"

namespace wattline::agent {

class SourceStateStore {
 public:
  // Opens or creates the store at `path` (mode 0600) and migrates its schema.
  // Errors: kIoError when the file cannot be opened or created,
  // kCorruption when it is not a database, kInvalidArgument when its schema
  // is newer than this program; all name the path.
  static Result<std::unique_ptr<SourceStateStore>> Open(const std::string& path);

  SourceStateStore(const SourceStateStore&) = delete;
  SourceStateStore& operator=(const SourceStateStore&) = delete;

  // The value stored under `key`, or nullopt when there is none.
  Result<std::optional<std::string>> Get(std::string_view key);
  // Stores `value` under `key`, replacing what was there; durable when OK.
  Status Put(std::string_view key, std::string_view value);
  // Removes `key`; removing a key that is not there is OK.
  Status Delete(std::string_view key);

  const std::string& path() const { return db_->path(); }

 private:
  explicit SourceStateStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  std::unique_ptr<SqliteDb> db_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_STATE_SOURCE_STATE_STORE_H_
