// Directories that hold private data (outboxes, stored series, keys).
#ifndef WATTLINE_COMMON_PRIVATE_DIRECTORY_H_
#define WATTLINE_COMMON_PRIVATE_DIRECTORY_H_

#include <string>

#include "common/status.h"

namespace wattline {

// Creates `path` with mode 0700, creating missing parents the way `mkdir -p`
// does. An existing directory is accepted and left as it is; an existing
// non-directory is an error (AlreadyExists). Other failures: IoError naming
// the path.
[[nodiscard]] Status MakePrivateDirectory(const std::string& path);

}  // namespace wattline

#endif  // WATTLINE_COMMON_PRIVATE_DIRECTORY_H_
