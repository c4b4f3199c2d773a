// Files and directories of a PKI directory on disk: written atomically and
// with their final permissions from the moment they exist.
//
// Durability: WriteFileAtomically() writes a temporary file beside the target,
// fsyncs it, renames it over the target and fsyncs the directory. After it
// returns OK the new contents survive power loss; if it fails or the machine
// dies mid-way, the target holds either its old contents or the new ones,
// never a mix, and at worst a ".tmp-" file is left behind.
//
// Not thread-safe with respect to other writers of the same path; the PKI
// commands run once, from the command line.
#ifndef WATTLINE_AGGREGATOR_PKI_PEM_FILE_H_
#define WATTLINE_AGGREGATOR_PKI_PEM_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline::aggregator {

// Permissions for files that hold a private key (directories of them:
// common/private_directory.h).
inline constexpr mode_t kPrivateFileMode = 0600;
// Certificates are public.
inline constexpr mode_t kPublicFileMode = 0644;

// Replaces `path` with `contents`. The temporary file is created with `mode`
// (O_CREAT|O_EXCL) and then set to exactly `mode`, before a byte is written,
// so a private key is never readable by others, whatever the umask.
// Errors: IoError naming the path and the failed step.
[[nodiscard]] Status WriteFileAtomically(const std::string& path, std::string_view contents,
                                         mode_t mode);

// The whole of `path`. NotFound when it does not exist, IoError otherwise.
[[nodiscard]] Result<std::string> ReadWholeFile(const std::string& path);

// True when something (file, directory, link) exists at `path`.
bool PathExists(const std::string& path);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_PKI_PEM_FILE_H_
