// What the agent lets the system load into its process at run time.
//
// Two libraries of the agent load shared modules named by the system's
// configuration: glibc loads the NSS modules that the "hosts:" line of
// /etc/nsswitch.conf lists (for every getaddrinfo() of cpp-httplib,
// libmosquitto and libmodbus), and OpenSSL loads what openssl.cnf asks for
// (providers, engines). In a dynamically linked agent that is right: the
// modules match the system's libraries.
//
// The fully static agent (WATTLINE_STATIC_AGENT, the Pi Zero build) carries
// its own glibc 2.36 and OpenSSL, which the system's modules do not match: a
// module built for another glibc or OpenSSL version, or another float ABI
// (Raspberry Pi OS is armhf, the static agent armel), fails to load or, worse,
// loads and corrupts the process. Raspberry Pi OS lists mdns4_minimal in
// nsswitch.conf; other systems list myhostname, resolve or mymachines. So the
// static agent loads nothing: glibc's "files" (/etc/hosts) and "dns"
// (/etc/resolv.conf) back ends are built into the static glibc, and OpenSSL's
// defaults serve the agent's mutual TLS. Why this and not a resolver library
// such as c-ares, and how it is proven: cross/README.md, "Host names in a
// static binary".
#ifndef WATTLINE_AGENT_NET_LOADABLE_MODULES_H_
#define WATTLINE_AGENT_NET_LOADABLE_MODULES_H_

#include <string_view>

#include "common/status.h"

namespace wattline::agent {

// Call once at the top of main(), before any thread starts, any name is
// looked up and any TLS is set up. Not thread-safe.
//
// Static build (loadable_modules_static.cc):
//  - host lookups use exactly "files dns", and service lookups "files",
//    whatever /etc/nsswitch.conf says. Names that only mDNS (*.local) or
//    systemd-resolved know do not resolve: use a DNS name, an /etc/hosts
//    entry or an address. Changes to /etc/hosts and /etc/resolv.conf are still
//    picked up while the agent runs (glibc re-reads them when they change).
//  - OpenSSL does not read the system's openssl.cnf: its built-in defaults
//    apply (TLS 1.2 and 1.3, security level 1 or better).
// System build (loadable_modules_system.cc): does nothing; the system's
// configuration applies, as for any other program.
//
// Errors: kInternal when glibc or OpenSSL refuses (a bug).
[[nodiscard]] Status ConfigureLoadableModules();

// How ConfigureLoadableModules() left things, for the start-up log line.
std::string_view LoadableModulesMode();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_NET_LOADABLE_MODULES_H_
