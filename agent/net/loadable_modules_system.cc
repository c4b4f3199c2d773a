// ConfigureLoadableModules() for a dynamically linked agent: the system's own
// NSS and OpenSSL configuration apply, mDNS and systemd-resolved included.
#include "agent/net/loadable_modules.h"

namespace wattline::agent {

Status ConfigureLoadableModules() { return Status::Ok(); }

std::string_view LoadableModulesMode() { return "the system's (nsswitch.conf, openssl.cnf)"; }

}  // namespace wattline::agent
