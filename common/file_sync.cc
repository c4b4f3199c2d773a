#include "common/file_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wattline {

Status ErrnoStatus(std::string_view what, const std::string& path, int error) {
  std::string message(what);
  message += " " + path + ": " + std::strerror(error);
  if (error == ENOENT) return Status::NotFound(std::move(message));
  if (error == EEXIST) return Status::AlreadyExists(std::move(message));
  return Status::IoError(std::move(message));
}

std::string DirectoryOf(const std::string& path) {
  std::string::size_type slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status SyncPath(const std::string& path) {
  // O_RDONLY suffices for fsync on Linux, for files and directories alike.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path, errno);
  int rc = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("cannot fsync", path, error);
  return Status::Ok();
}

}  // namespace wattline
