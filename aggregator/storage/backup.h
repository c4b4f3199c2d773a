// Online backup of the storage (sample_store.h: the main file and its chunk
// file, ChunkFilePath()) to a pair of files, and the check that a backup is
// sound. docs/operations.md explains backup and
// restore; this is the part that touches the database.
//
// Consistency: each file is copied by `VACUUM INTO` on its own connection,
// one snapshot in one read transaction; the main file (ingest log, series,
// hour rollups, the agents' idempotency ledger) first, then the chunk file. Every write
// acknowledged before the first copy starts is in the backup: in the main
// file's log, or in a chunk (the log records go only after their chunks
// committed, and chunks only grow or are rewritten with more). A server
// started on the copy replays the log, holds exactly what was acknowledged,
// and still recognises agents' retries of those uploads.
//
// Why VACUUM INTO and not the online backup API (sqlite3_backup_step): in WAL
// mode neither blocks the server's writers (readers never do), but a backup
// stepped a few pages at a time restarts whenever another connection commits,
// so under steady ingest it may never finish; in one step it is the same
// single read transaction as VACUUM INTO, which also leaves out free pages
// (the deleted log records), so the file is smaller. Figures:
// docs/operations.md.
//
// Durability: the copy is written to `to + ".tmp"` (created 0600 before a
// byte is written), checked, fsynced, renamed to `to` and the directory
// fsynced: a crash leaves at worst the ".tmp" file, never a partial backup
// under the final name.
//
// Thread-safety: the functions are independent and may run in any process,
// concurrently with a SampleStore serving the same database.
#ifndef WATTLINE_AGGREGATOR_STORAGE_BACKUP_H_
#define WATTLINE_AGGREGATOR_STORAGE_BACKUP_H_

#include <cstdint>
#include <string>

#include "common/status.h"

namespace wattline::aggregator {

// What a backup file holds.
struct BackupSummary {
  int64_t bytes = 0;  // the file's size
  int64_t series = 0;
  int64_t chunks = 0;
  int64_t log_records = 0;  // replayed into the head by a server started on it
  int64_t samples = 0;      // in chunks plus in the log (see StoreStats)
};

struct BackupOptions {
  // Replace an existing `to`; otherwise an existing file is AlreadyExists.
  bool overwrite = false;
};

// Copies the storage at `db_path` (the main file; a server may be using it)
// to `to` and ChunkFilePath(to), and checks the copy as CheckBackup() does.
// Errors: NotFound when `db_path` does not exist, AlreadyExists (see
// BackupOptions), Corruption when the copy fails its check (the copy is then
// deleted), IoError and others from SQLite or the file system, each naming
// the path.
[[nodiscard]] Result<BackupSummary> BackupStorage(const std::string& db_path, const std::string& to,
                                                  const BackupOptions& options = {});

// Runs PRAGMA integrity_check on `path` and its chunk file, then opens them
// with the storage engine read-only (replaying the log) and summarises them.
// Corruption when the check reports problems (the message quotes the first
// of them). Opening switches the files to WAL mode, as the server would.
[[nodiscard]] Result<BackupSummary> CheckBackup(const std::string& path);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_STORAGE_BACKUP_H_
