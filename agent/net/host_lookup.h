// Host-name lookup, as the agent's outgoing connections see it.
//
// cpp-httplib, libmosquitto and libmodbus resolve the names they are given
// themselves, with glibc's getaddrinfo(). LookupHost() makes the same lookup,
// for the agent's own use: a --check-config that tells "cannot resolve host
// 'aggregator.lan'" before anything starts, or a log line that says which
// address a name had. It does not replace the libraries' lookups.
//
// In the fully static agent, call ConfigureLoadableModules()
// (agent/net/loadable_modules.h) first: it decides where the answer comes from.
#ifndef WATTLINE_AGENT_NET_HOST_LOOKUP_H_
#define WATTLINE_AGENT_NET_HOST_LOOKUP_H_

#include <string>
#include <vector>

#include "common/status.h"

namespace wattline::agent {

// Resolves `host` (a name, or a numeric IPv4 or IPv6 address) to numeric
// addresses, in the order getaddrinfo() prefers them, without duplicates.
//
// Blocking, for as long as the resolver's timeouts in /etc/resolv.conf allow
// (10 s by default): call it on the libuv thread pool, never on the loop.
// Thread-safe.
//
// Errors: kInvalidArgument for an empty name; kNotFound when the name does not
// exist or has no address; kUnavailable when no answer could be had (no DNS
// server reachable, a temporary failure): retry later; kIoError or
// kResourceExhausted when the system call failed.
[[nodiscard]] Result<std::vector<std::string>> LookupHost(const std::string& host);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_NET_HOST_LOOKUP_H_
