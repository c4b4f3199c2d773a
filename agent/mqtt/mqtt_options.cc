#include "agent/mqtt/mqtt_options.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <random>

namespace wattline::agent {

Status CheckMqttOptions(const MqttOptions& options) {
  if (options.host.empty()) return Status::InvalidArgument("mqtt host is empty");
  if (options.port < 1 || options.port > 65535) {
    return Status::InvalidArgument("mqtt port " + std::to_string(options.port) +
                                   " is not in 1..65535");
  }
  if (options.keepalive_ms < 5000 || options.keepalive_ms > 65535 * 1000LL ||
      options.keepalive_ms % 1000 != 0) {
    return Status::InvalidArgument("mqtt keepalive must be whole seconds from 5s to 65535s, not " +
                                   std::to_string(options.keepalive_ms) + " ms");
  }
  if (!options.password.empty() && options.username.empty()) {
    return Status::InvalidArgument("mqtt password given without a username");
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return Status::InvalidArgument("mqtt cert and key must be given together");
  }
  if (!options.tls &&
      (!options.ca_file.empty() || !options.cert_file.empty() || !options.key_file.empty())) {
    return Status::InvalidArgument("mqtt ca, cert and key need tls: true");
  }
  if (options.reconnect.initial_ms <= 0 ||
      options.reconnect.max_ms < options.reconnect.initial_ms) {
    return Status::InvalidArgument("mqtt reconnect_max must be >= reconnect_initial > 0");
  }
  return Status::Ok();
}

std::string DefaultMqttClientId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::string name;
  for (const char* c = host; *c != '\0' && name.size() < 32; ++c) {
    // Brokers are only required to accept [0-9a-zA-Z] (MQTT 3.1.1, 3.1.3.1);
    // '-' is accepted by every broker in use and keeps the id readable.
    if (std::isalnum(static_cast<unsigned char>(*c)) != 0 || *c == '-') name += *c;
  }
  if (name.empty()) name = "host";
  std::random_device random;
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "%06x", static_cast<unsigned>(random() & 0xffffffu));
  return "wattline-" + name + "-" + suffix;
}

}  // namespace wattline::agent
