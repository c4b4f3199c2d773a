#include "common/mqtt/mqtt_password_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wattline {

Result<std::string> ReadMqttPasswordFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    std::string message = "cannot open " + path + ": " + std::strerror(error);
    if (error == ENOENT) return Status::NotFound(message);
    if (error == EACCES) return Status::PermissionDenied(message);
    return Status::IoError(message);
  }
  struct stat info {};
  std::string contents;
  Status status;
  if (::fstat(fd, &info) != 0) {
    status = Status::IoError("cannot stat " + path + ": " + std::strerror(errno));
  } else if ((info.st_mode & S_IROTH) != 0) {
    status = Status::PermissionDenied(path + " is readable by every user; chmod o-r " + path);
  } else {
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof(buffer))) > 0 && contents.size() < 65536) {
      contents.append(buffer, static_cast<size_t>(n));
    }
    if (n < 0) status = Status::IoError("cannot read " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  WATTLINE_RETURN_IF_ERROR(status);
  contents = contents.substr(0, contents.find_first_of("\r\n"));
  if (contents.empty()) return Status::InvalidArgument(path + ": the first line is empty");
  return contents;
}

}  // namespace wattline
