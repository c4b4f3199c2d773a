// The agent config's top-level `mqtt:` section: where the one shared broker
// connection goes (agent/mqtt/mqtt_client.h). Every option is declared in
// the table in mqtt_config.cc, which also renders the reference.
//
//   mqtt:
//     host: 192.168.1.10
//     username: wattline
//     password_file: /etc/wattline/agent/mqtt-password
//
// Thread-safety: thread-safe (no shared state); reads files, so call it
// where config is read, not on the loop.
#ifndef WATTLINE_AGENT_MQTT_MQTT_CONFIG_H_
#define WATTLINE_AGENT_MQTT_MQTT_CONFIG_H_

#include <optional>
#include <string>

#include "common/mqtt/mqtt_options.h"
#include "common/config/config_tree.h"
#include "common/status.h"

namespace wattline::agent {

// Reads the `mqtt:` section. nullptr (no section) gives nullopt: no broker
// is configured, and sources that need one are a config error (the caller's
// check). An empty `mqtt:` means a broker on localhost:1883 with defaults.
//
// `password_file` names a file whose first line is the password (a trailing
// newline is dropped), so the password need not sit in the config file. It
// is refused when any user may read it (mode o+r), when it is empty, and
// together with `password`.
//
// Errors: kInvalidArgument naming FILE:LINE:COLUMN and the option: unknown
// options, wrong types, values CheckMqttOptions() refuses; kNotFound or
// kPermissionDenied or kIoError when password_file cannot be read.
Result<std::optional<MqttOptions>> ReadMqttConfig(const ConfigNode* section);

// The section as commented YAML, every option with its default and why,
// starting with a comment line and "mqtt:"; for --print-config and the
// example config.
std::string MqttConfigReference();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_MQTT_CONFIG_H_
