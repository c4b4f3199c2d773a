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

}  // namespace

std::string StoragePathIn(const std::string& data_dir) { return data_dir + "/samples.db"; }

Result<BackupSummary> CheckBackup(const std::string& path) {
  WATTLINE_RETURN_IF_ERROR(IntegrityCheck(path));
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
  Result<int64_t> bytes = FileSize(path);
  if (!bytes.ok()) return bytes.status();
  summary.bytes = *bytes;
  return summary;
}

Result<BackupSummary> BackupStorage(const std::string& db_path, const std::string& to,
                                    const BackupOptions& options) {
  struct stat st {};
  if (::stat(db_path.c_str(), &st) != 0) return ErrnoStatus("cannot read storage", db_path, errno);
  if (!options.overwrite && ::lstat(to.c_str(), &st) == 0) {
    return Status::AlreadyExists(to + " exists (--force replaces it)");
  }
  const std::string temp = to + ".tmp";
  WATTLINE_RETURN_IF_ERROR(RemoveTemp(temp));
  WATTLINE_RETURN_IF_ERROR(CreatePrivateFile(temp));
  Status status = VacuumInto(db_path, temp);
  Result<BackupSummary> summary = status.ok() ? CheckBackup(temp) : Result<BackupSummary>(status);
  // SQLite does not fsync what VACUUM INTO writes; the rename must not
  // outrun the data.
  if (summary.ok()) status = SyncPath(temp);
  if (summary.ok() && status.ok()) status = Rename(temp, to, options.overwrite);
  if (!summary.ok() || !status.ok()) {
    (void)RemoveTemp(temp);  // the error being returned matters more
    return summary.ok() ? status : summary.status();
  }
  // The rename is durable only once the directory entry is.
  WATTLINE_RETURN_IF_ERROR(SyncPath(DirectoryOf(to)));
  return summary;
}

}  // namespace wattline::aggregator
