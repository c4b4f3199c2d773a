#include "common/mqtt/mqtt_options.h"

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <random>

namespace wattline {

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

Status ParseMqttUrl(std::string_view url, MqttOptions* options) {
  auto bad = [url](std::string_view why) {
    return Status::InvalidArgument("MQTT URL \"" + std::string(url) + "\": " + std::string(why));
  };
  std::string_view rest = url;
  bool tls = false;
  if (rest.starts_with("mqtt://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("mqtts://")) {
    rest.remove_prefix(8);
    tls = true;
  } else {
    return bad("expected mqtt://host[:port] or mqtts://host[:port]");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/@?#") != std::string_view::npos) {
    return bad("only a host and a port may follow the scheme");
  }
  std::string_view host = rest;
  std::string_view port_text;
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("expected ':' after ']'");
      port_text = after.substr(1);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  int port = tls ? 8883 : 1883;
  if (!port_text.empty() || rest.ends_with(':')) {
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return bad("the port must be 1..65535");
    }
  }
  options->host = std::string(host);
  options->port = port;
  options->tls = tls;
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

}  // namespace wattline
