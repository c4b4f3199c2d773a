#include "tests/fault/tmpfs_mount.h"

#include <sys/mount.h>

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

}  // namespace wattline::testing
