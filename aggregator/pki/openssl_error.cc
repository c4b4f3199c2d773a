#include "aggregator/pki/openssl_error.h"

#include <openssl/err.h>

namespace wattline::aggregator {

Status OpenSslError(std::string_view what, Status (*make)(std::string)) {
  std::string message(what);
  std::string reasons;
  // ERR_get_error() pops the oldest entry first, so reasons read in the order
  // OpenSSL raised them: the low-level cause, then what it broke.
  for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!reasons.empty()) reasons += "; ";
    reasons += buffer;
  }
  message += ": ";
  message += reasons.empty() ? "OpenSSL gave no reason" : reasons;
  return make(std::move(message));
}

void ClearOpenSslErrors() { ERR_clear_error(); }

}  // namespace wattline::aggregator
