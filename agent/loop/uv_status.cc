#include "agent/loop/uv_status.h"

#include <uv.h>

#include <string>

namespace wattline::agent {

Status UvStatus(int rc, std::string_view what) {
  if (rc >= 0) return Status::Ok();
  std::string message(what);
  message += ": ";
  message += uv_strerror(rc);
  switch (rc) {
    case UV_ENOMEM:
    case UV_ENOSPC: return Status::ResourceExhausted(message);
    case UV_EINVAL: return Status::InvalidArgument(message);
    case UV_EACCES:
    case UV_EPERM: return Status::PermissionDenied(message);
    case UV_ENOENT: return Status::NotFound(message);
    default: return Status::IoError(message);
  }
}

}  // namespace wattline::agent
