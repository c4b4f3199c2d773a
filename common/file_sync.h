// Small POSIX file helpers for writing files that must survive a crash:
// errno as a Status naming the path, the directory of a path, and fsync of
// a file or a directory (a rename is durable only once its directory is).
#ifndef WATTLINE_COMMON_FILE_SYNC_H_
#define WATTLINE_COMMON_FILE_SYNC_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline {

// "<what> <path>: <strerror>": NotFound for ENOENT, AlreadyExists for
// EEXIST, IoError otherwise.
Status ErrnoStatus(std::string_view what, const std::string& path, int error);

// The directory part of `path`: "." when it has none, "/" for the root.
std::string DirectoryOf(const std::string& path);

// fsync(2) of a file or a directory.
Status SyncPath(const std::string& path);

}  // namespace wattline

#endif  // WATTLINE_COMMON_FILE_SYNC_H_
