#include "aggregator/pki/pem_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/file_sync.h"

namespace wattline::aggregator {
namespace {

// A name nobody else uses: the pid keeps concurrent processes apart and the
// random suffix keeps a stale file from a crashed run out of the way.
std::string TempPathFor(const std::string& path) {
  std::random_device random;
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), ".tmp-%ld-%08x", static_cast<long>(::getpid()),
                static_cast<unsigned>(random()));
  return path + suffix;
}

Status WriteAll(int fd, std::string_view contents, const std::string& path) {
  while (!contents.empty()) {
    ssize_t written = ::write(fd, contents.data(), contents.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path, errno);
    }
    contents.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}


// Writes, syncs and closes the temporary file; the caller renames it.
Status WriteTemp(const std::string& temp, std::string_view contents, mode_t mode) {
  // O_EXCL: never reuse (or follow a symlink planted at) an existing name.
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return ErrnoStatus("cannot create", temp, errno);
  // The umask can only have narrowed `mode`; make it exact while still empty.
  Status status;
  if (::fchmod(fd, mode) != 0) status = ErrnoStatus("cannot set permissions of", temp, errno);
  if (status.ok()) status = WriteAll(fd, contents, temp);
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus("cannot fsync", temp, errno);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus("cannot close", temp, errno);
  return status;
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view contents, mode_t mode) {
  std::string temp = TempPathFor(path);
  Status status = WriteTemp(temp, contents, mode);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus("cannot rename " + temp + " to", path, errno);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  // The rename is durable only once the directory entry is.
  return SyncPath(DirectoryOf(path));
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    if (error == ENOENT) return Status::NotFound(path + " does not exist");
    return ErrnoStatus("cannot open", path, error);
  }
  std::string contents;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      return ErrnoStatus("cannot read", path, error);
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return contents;
}

bool PathExists(const std::string& path) {
  struct stat info;
  return ::lstat(path.c_str(), &info) == 0;
}

}  // namespace wattline::aggregator
