// ConfigureLoadableModules() for the fully static agent (WATTLINE_STATIC_AGENT).
// See loadable_modules.h for why, and cross/README.md for how it is checked.
#include <nss.h>
#include <openssl/crypto.h>

#include "agent/net/loadable_modules.h"

namespace wattline::agent {
namespace {

// cpp-httplib initialises OpenSSL from a static initializer, before main(),
// and that first initialisation would read openssl.cnf (and load what it
// names). A constructor with a priority runs before every initializer without
// one, so OpenSSL is initialised here first, without its configuration file,
// and later initialisations change nothing. It is linked whenever main() calls
// ConfigureLoadableModules(), which lives in this file.
__attribute__((constructor(101))) void InitialiseOpenSslWithoutConfigFile() {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
}

}  // namespace

Status ConfigureLoadableModules() {
  // __nss_configure_lookup() (glibc's <nss.h>) replaces the database's line
  // from /etc/nsswitch.conf and stops glibc re-reading it for that database.
  // "files" and "dns" are built into a static glibc 2.34 or later, so no
  // lookup ever dlopen()s a libnss_*.so.
  if (__nss_configure_lookup("hosts", "files dns") != 0) {
    return Status::Internal("cannot configure host lookups as \"files dns\"");
  }
  // getaddrinfo() consults "services" for a named port ("https").
  if (__nss_configure_lookup("services", "files") != 0) {
    return Status::Internal("cannot configure service lookups as \"files\"");
  }
  // Done before main() already (above); repeated to report a failure.
  if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) != 1) {
    return Status::Internal("cannot initialise OpenSSL without its configuration file");
  }
  return Status::Ok();
}

std::string_view LoadableModulesMode() {
  return "none (static: NSS files dns built in, openssl.cnf not read)";
}

}  // namespace wattline::agent
