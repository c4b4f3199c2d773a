// "host:port" as URLs write it, for logs and labels: an IPv6 address in
// brackets ("[fd00::1]:502") so that its colons are not taken for the port's.
//
// Thread-safety: a pure function.
#ifndef WATTLINE_AGENT_NET_HOST_PORT_H_
#define WATTLINE_AGENT_NET_HOST_PORT_H_

#include <string>
#include <string_view>

namespace wattline::agent {

inline std::string HostPort(std::string_view host, int port) {
  const bool ipv6 = host.find(':') != std::string_view::npos;
  std::string text = ipv6 ? "[" + std::string(host) + "]" : std::string(host);
  return text + ":" + std::to_string(port);
}

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_NET_HOST_PORT_H_
