#include "agent/net/host_lookup.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace wattline::agent {
namespace {

// getaddrinfo()'s EAI_* codes, converted once.
Status LookupError(const std::string& host, int rc, int saved_errno) {
  std::string message = "cannot resolve host '" + host + "': ";
  switch (rc) {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
      return Status::NotFound(message + gai_strerror(rc));
    case EAI_AGAIN:
    case EAI_FAIL:
      return Status::Unavailable(message + gai_strerror(rc));
    case EAI_MEMORY:
      return Status::ResourceExhausted(message + gai_strerror(rc));
    case EAI_SYSTEM:
      return Status::IoError(message + std::strerror(saved_errno));
    default:
      return Status::Internal(message + gai_strerror(rc));
  }
}

}  // namespace

Result<std::vector<std::string>> LookupHost(const std::string& host) {
  if (host.empty()) return Status::InvalidArgument("cannot resolve an empty host name");

  // The same hints cpp-httplib gives, so the answer is the one it gets.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  const int saved_errno = errno;
  if (rc != 0) return LookupError(host, rc, saved_errno);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(raw, &freeaddrinfo);

  std::vector<std::string> addresses;
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    // NI_NUMERICHOST: formats the address, consults no name service.
    char text[NI_MAXHOST] = {};
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof(text), nullptr, 0, NI_NUMERICHOST) !=
        0) {
      continue;
    }
    if (std::find(addresses.begin(), addresses.end(), text) == addresses.end()) {
      addresses.emplace_back(text);
    }
  }
  if (addresses.empty()) {
    return Status::NotFound("cannot resolve host '" + host + "': no IPv4 or IPv6 address");
  }
  return addresses;
}

}  // namespace wattline::agent
