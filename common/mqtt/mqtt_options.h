// How a client reaches an MQTT broker: the options of the agent's MqttClient
// (agent/mqtt/mqtt_client.h, filled from its `mqtt:` config section,
// agent/mqtt/mqtt_config.h) and of the aggregator's alert publisher
// (aggregator/notify/mqtt_publisher.h, from `notify.mqtt_*`), or of tests.
#ifndef WATTLINE_COMMON_MQTT_MQTT_OPTIONS_H_
#define WATTLINE_COMMON_MQTT_MQTT_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline {

// Waits between connection attempts: from `initial_ms`, doubling, up to
// `max_ms`. The client decides about jitter (the agent's MqttClient feeds
// these to agent/upload/backoff.h).
struct MqttReconnectOptions {
  int64_t initial_ms = 1000;
  int64_t max_ms = 30'000;
};

struct MqttOptions {
  // A name or a numeric IPv4/IPv6 address. Names are resolved on the libuv
  // thread pool on every connection attempt, so a DHCP-assigned broker that
  // moves is found again.
  std::string host = "localhost";
  int port = 1883;
  // Empty: DefaultMqttClientId(), chosen once per client object. The session
  // is always clean (see mosquitto_handle.h), so the id only has to be unique
  // among the clients connected at one time; brokers show it in their logs.
  std::string client_id;
  // Empty username: connect without credentials. A password needs a username
  // (MQTT 3.1.1).
  std::string username;
  std::string password;
  // TLS with the broker's certificate checked against `ca_file` (or the
  // system's CA store when `ca_file` is empty) and its name against `host`.
  bool tls = false;
  std::string ca_file;
  // A client certificate and its key, both or neither; only with `tls`.
  std::string cert_file;
  std::string key_file;
  // MQTT keep-alive: the broker drops us after 1.5x this without traffic, and
  // we drop a broker that has not answered a ping within it. Whole seconds,
  // 5 s to 65535 s (the protocol's unit and libmosquitto's limits).
  int64_t keepalive_ms = 30'000;
  // Back-off between connection attempts. The agent's readings published
  // while it is disconnected are lost (see agent/mqtt/mqtt_client.h), so the
  // cap is short.
  MqttReconnectOptions reconnect;
};

// OK when `options` can be used; otherwise kInvalidArgument naming the
// option: empty host, port outside 1..65535, keep-alive outside 5 s..65535 s
// or not whole seconds, a password without a username, cert without key or
// the reverse, TLS files without `tls`, a back-off with initial <= 0 or
// max < initial. Does not touch the file system.
Status CheckMqttOptions(const MqttOptions& options);

// Sets host, port and tls of `options` from "mqtt://host[:port]" (plain,
// port 1883 by default) or "mqtts://host[:port]" (TLS, port 8883 by
// default); an IPv6 address goes in brackets, a trailing '/' is allowed.
// Errors: kInvalidArgument naming the URL (another scheme, a path, user
// info, an empty host, a port outside 1..65535).
Status ParseMqttUrl(std::string_view url, MqttOptions* options);

// "wattline-<hostname>-<6 random hex digits>": the host name (letters,
// digits and '-' only, at most 32 characters) tells a broker's log which
// agent it is; the random part keeps two agents with the same host name (a
// cloned SD card) from taking over each other's connection. Thread-safe.
std::string DefaultMqttClientId();

}  // namespace wattline

#endif  // WATTLINE_COMMON_MQTT_MQTT_OPTIONS_H_
