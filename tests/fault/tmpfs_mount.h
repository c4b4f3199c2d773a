// A tmpfs mounted for the life of the object: a small one is a disk that
// fills up on demand; a large one spares a test thousands of real fsyncs.
// Mounting needs CAP_SYS_ADMIN (root in the CI container); tests skip, or
// fall back to the ordinary temporary directory, when it is refused.
#ifndef WATTLINE_TESTS_FAULT_TMPFS_MOUNT_H_
#define WATTLINE_TESTS_FAULT_TMPFS_MOUNT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace wattline::testing {

class TmpfsMount {
 public:
  // Creates `path` and mounts a tmpfs of `size_bytes` on it.
  static Result<std::unique_ptr<TmpfsMount>> Mount(const std::string& path, int64_t size_bytes);
  // Unmounts (lazily, should a process still hold a file there).
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  const std::string& path() const { return path_; }

 private:
  explicit TmpfsMount(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Writes `path` until its filesystem has no byte left; the bytes written,
// or -1 when `path` cannot be created.
int64_t FillFilesystem(const std::string& path);

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_FAULT_TMPFS_MOUNT_H_
