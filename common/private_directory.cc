#include "common/private_directory.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace wattline {

Status MakePrivateDirectory(const std::string& path) {
  // "d/" names d; without the slash, parent_path() would be d itself and
  // create_directories() would make it with the default mode.
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  std::filesystem::path parent = std::filesystem::path(trimmed).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) return Status::IoError("cannot create " + parent.string() + ": " + error.message());
  }
  if (::mkdir(trimmed.c_str(), 0700) == 0) return Status::Ok();
  int error = errno;
  if (error != EEXIST) {
    return Status::IoError("cannot create directory " + path + ": " + std::strerror(error));
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Status::IoError("cannot stat " + path + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(info.st_mode)) return Status::AlreadyExists(path + " exists and is not a directory");
  return Status::Ok();
}

}  // namespace wattline
