#include "tests/fault/tmpfs_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace wattline::testing {

Result<std::unique_ptr<TmpfsMount>> TmpfsMount::Mount(const std::string& path, int64_t size_bytes) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) return Status::IoError("cannot create " + path + ": " + error.message());
  const std::string options = "size=" + std::to_string(size_bytes) + ",mode=0700";
  if (::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    return Status::PermissionDenied("cannot mount a tmpfs on " + path + ": " +
                                    std::strerror(errno));
  }
  return std::unique_ptr<TmpfsMount>(new TmpfsMount(path));
}

TmpfsMount::~TmpfsMount() { ::umount2(path_.c_str(), MNT_DETACH); }

int64_t FillFilesystem(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  const std::string block(64 * 1024, 'f');
  int64_t written = 0;
  // Ever smaller writes, so that not even a page is left over.
  for (size_t size = block.size(); size > 0; size /= 2) {
    ssize_t n;
    while ((n = ::write(fd, block.data(), size)) > 0) written += n;
  }
  ::close(fd);
  return written;
}

}  // namespace wattline::testing
