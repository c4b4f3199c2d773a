#include "aggregator/storage/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "aggregator/storage/sample_store.h"
#include "common/clock.h"
#include "common/file_sync.h"
#include "common/sqlite_db.h"

namespace wattline::aggregator {
namespace {

// The whole of the backup: everything it holds is private.
constexpr mode_t kBackupFileMode = 0600;

// Removes `path` if it is there.
Status RemoveIfPresent(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus("cannot remove", path, errno);
  }
  return Status::Ok();
}

// A ".tmp" left by a backup that crashed, with the -wal/-shm its check may
// have left: ours by name, and in the way of VACUUM INTO, which wants an
// empty or missing file.
Status RemoveTemp(const std::string& temp) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    WATTLINE_RETURN_IF_ERROR(RemoveIfPresent(temp + suffix));
  }
  return Status::Ok();
}

// Creates `path` empty with exactly kBackupFileMode, whatever the umask,
// before SQLite writes a byte to it.
Status CreatePrivateFile(const std::string& path) {
  int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kBackupFileMode);
  if (fd < 0) return ErrnoStatus("cannot create", path, errno);
  Status status;
  if (::fchmod(fd, kBackupFileMode) != 0) {
    status = ErrnoStatus("cannot set permissions of", path, errno);
  }
  ::close(fd);
  return status;
}

// `from` to `to`; without `overwrite`, atomically refuses an existing `to`.
Status Rename(const std::string& from, const std::string& to, bool overwrite) {
  int rc = overwrite ? std::rename(from.c_str(), to.c_str())
                     : ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE);
  if (rc != 0) return ErrnoStatus("cannot rename " + from + " to", to, errno);
  return Status::Ok();
}

// The copy: one read transaction on its own connection, so the server's
// writers go on (WAL) and the file is one consistent snapshot.
Status VacuumInto(const std::string& db_path, const std::string& temp) {
  SqliteDb::Options source_options;
  source_options.create = false;
  Result<std::unique_ptr<SqliteDb>> source = SqliteDb::Open(db_path, source_options);
  if (!source.ok()) return source.status();
  Result<Statement> vacuum = (*source)->Prepare("VACUUM INTO ?");
  if (!vacuum.ok()) return vacuum.status();
  return vacuum->BindText(1, temp).Run().WithContext("copy " + db_path + " to " + temp);
}

// PRAGMA integrity_check answers one row "ok", or rows describing problems.
Status IntegrityCheck(const std::string& path) {
  SqliteDb::Options options;
  options.create = false;
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path, options);
  if (!db.ok()) return db.status();
  Result<Statement> check = (*db)->Prepare("PRAGMA integrity_check");
  if (!check.ok()) return check.status();
  Result<bool> row = check->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Corruption(path + ": integrity_check returned nothing");
  if (check->ColumnText(0) == "ok") return Status::Ok();
  return Status::Corruption(path + " failed integrity_check: " + std::string(check->ColumnText(0)));
}

Result<int64_t> FileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot stat", path, errno);
  return static_cast<int64_t>(st.st_size);
}

// Copies the storage at `db_path` to `temp` and its chunk file, checks the
// copy and renames both to `to` and its chunk file. The temporary files are
// the caller's to remove on failure.
Result<BackupSummary> CopyAndPublish(const std::string& db_path, const std::string& temp,
                                     const std::string& to, bool overwrite) {
  const std::string chunk_temp = ChunkFilePath(temp);
  WATTLINE_RETURN_IF_ERROR(RemoveTemp(temp));
  WATTLINE_RETURN_IF_ERROR(RemoveTemp(chunk_temp));
  WATTLINE_RETURN_IF_ERROR(CreatePrivateFile(temp));
  WATTLINE_RETURN_IF_ERROR(CreatePrivateFile(chunk_temp));
  // The main file first: the chunk file copied after it holds every chunk
  // the main file's log records were trimmed for, and chunks cut since only
  // make a replayed record redundant (docs/storage.md).
  WATTLINE_RETURN_IF_ERROR(VacuumInto(db_path, temp));
  WATTLINE_RETURN_IF_ERROR(VacuumInto(ChunkFilePath(db_path), chunk_temp));
  Result<BackupSummary> summary = CheckBackup(temp);
  if (!summary.ok()) return summary.status();
  // SQLite does not fsync what VACUUM INTO writes; the renames must not
  // outrun the data. The main file under its final name means a whole
  // backup: an old one being replaced goes first, then the chunk file is
  // renamed, then the main file, so a crash never pairs files of two backups.
  WATTLINE_RETURN_IF_ERROR(SyncPath(temp));
  WATTLINE_RETURN_IF_ERROR(SyncPath(chunk_temp));
  if (overwrite) WATTLINE_RETURN_IF_ERROR(RemoveIfPresent(to));
  WATTLINE_RETURN_IF_ERROR(Rename(chunk_temp, ChunkFilePath(to), overwrite));
  WATTLINE_RETURN_IF_ERROR(Rename(temp, to, overwrite));
  return summary;
}

}  // namespace

Result<BackupSummary> CheckBackup(const std::string& path) {
  const std::string chunk_path = ChunkFilePath(path);
  WATTLINE_RETURN_IF_ERROR(IntegrityCheck(path));
  WATTLINE_RETURN_IF_ERROR(IntegrityCheck(chunk_path));
  BackupSummary summary;
  {
    // Only the wall clock of a flusher, which read-only does not run.
    SystemClock clock;
    StorageOptions options;
    options.read_only = true;
    Result<std::unique_ptr<SampleStore>> store = SampleStore::Open(path, &clock, options);
    if (!store.ok()) return store.status();
    Result<StoreStats> stats = (*store)->Stats();
    if (!stats.ok()) return stats.status().WithContext(path);
    summary.series = stats->series;
    summary.chunks = stats->chunks;
    summary.log_records = stats->log_records;
    summary.samples = stats->samples;
  }
  for (const std::string& file : {path, chunk_path}) {
    Result<int64_t> bytes = FileSize(file);
    if (!bytes.ok()) return bytes.status();
    summary.bytes += *bytes;
  }
  return summary;
}

Result<BackupSummary> BackupStorage(const std::string& db_path, const std::string& to,
                                    const BackupOptions& options) {
  struct stat st {};
  if (::stat(db_path.c_str(), &st) != 0) return ErrnoStatus("cannot read storage", db_path, errno);
  for (const std::string& file : {to, ChunkFilePath(to)}) {
    if (!options.overwrite && ::lstat(file.c_str(), &st) == 0) {
      return Status::AlreadyExists(file + " exists (--force replaces it)");
    }
  }
  const std::string temp = to + ".tmp";
  const std::string chunk_temp = ChunkFilePath(temp);
  Result<BackupSummary> summary = CopyAndPublish(db_path, temp, to, options.overwrite);
  if (!summary.ok()) {
    // The error being returned matters more than a failure to clean up.
    (void)RemoveTemp(temp);
    (void)RemoveTemp(chunk_temp);
    return summary.status();
  }
  // The renames are durable only once the directory entries are.
  WATTLINE_RETURN_IF_ERROR(SyncPath(DirectoryOf(to)));
  return summary;
}

}  // namespace wattline::aggregator
