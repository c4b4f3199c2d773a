#include "agent/mqtt/mqtt_config.h"

#include <array>

#include "common/config/option_table.h"
#include "common/mqtt/mqtt_password_file.h"

namespace wattline::agent {
namespace {

constexpr std::array<OptionSpec, 13> kMqttOptions = {{
    {"host", OptionType::kString, "localhost",
     "The broker's name or address; the name is looked up again on every reconnect"},
    {"port", OptionType::kInt, "1883", "1883 is MQTT's port, 8883 MQTT over TLS"},
    {"client_id", OptionType::kString, "",
     "Empty: wattline-<hostname>-<random>; set it if the broker's ACL names clients"},
    {"username", OptionType::kString, "", "Empty: connect without credentials"},
    {"password", OptionType::kString, "",
     "Needs username; prefer password_file, so the config can be world-readable"},
    {"password_file", OptionType::kString, "",
     "File whose first line is the password; refused if other users may read it"},
    {"tls", OptionType::kBool, "false",
     "TLS to the broker, its certificate checked against ca and its name against host"},
    {"ca", OptionType::kString, "",
     "CA certificate that signed the broker's; empty with tls: the system's CAs"},
    {"cert", OptionType::kString, "",
     "Client certificate, for brokers that require one (with key; needs tls)"},
    {"key", OptionType::kString, "", "The client certificate's private key (keep it mode 0600)"},
    {"keepalive", OptionType::kDuration, "30s",
     "Ping interval when idle (whole seconds, 5s..18h): how soon a dead broker is noticed"},
    {"reconnect_initial", OptionType::kDuration, "1s",
     "First wait after a failed attempt or a lost connection (doubles, with jitter)"},
    {"reconnect_max", OptionType::kDuration, "30s",
     "Longest wait: messages published while disconnected are lost, so keep it short"},
}};

std::string WhereIs(const ConfigNode* section, std::string_view key) {
  const ConfigNode* node = section->Find(key);
  return (node != nullptr ? node : section)->Where();
}

}  // namespace

Result<std::optional<MqttOptions>> ReadMqttConfig(const ConfigNode* section) {
  if (section == nullptr) return std::optional<MqttOptions>();
  Result<OptionValues> values = ReadOptions(section, kMqttOptions, "mqtt");
  if (!values.ok()) return values.status();
  MqttOptions options;
  options.host = values->String("host");
  int64_t port = values->Int("port");
  if (port < 1 || port > 65535) {
    return Status::InvalidArgument(WhereIs(section, "port") + ": mqtt.port must be 1..65535");
  }
  options.port = static_cast<int>(port);
  options.client_id = values->String("client_id");
  options.username = values->String("username");
  options.password = values->String("password");
  const std::string& password_file = values->String("password_file");
  if (!password_file.empty()) {
    if (!options.password.empty()) {
      return Status::InvalidArgument(WhereIs(section, "password_file") +
                                     ": give mqtt.password or mqtt.password_file, not both");
    }
    Result<std::string> password = ReadMqttPasswordFile(password_file);
    if (!password.ok()) {
      return password.status().WithContext(WhereIs(section, "password_file") +
                                           ": mqtt.password_file");
    }
    options.password = std::move(*password);
  }
  options.tls = values->Bool("tls");
  options.ca_file = values->String("ca");
  options.cert_file = values->String("cert");
  options.key_file = values->String("key");
  options.keepalive_ms = values->DurationMs("keepalive");
  if (options.keepalive_ms < 5000 || options.keepalive_ms > 65535 * 1000LL ||
      options.keepalive_ms % 1000 != 0) {
    return Status::InvalidArgument(WhereIs(section, "keepalive") +
                                   ": mqtt.keepalive must be whole seconds from 5s to 65535s");
  }
  options.reconnect.initial_ms = values->DurationMs("reconnect_initial");
  options.reconnect.max_ms = values->DurationMs("reconnect_max");
  Status checked = CheckMqttOptions(options);
  if (!checked.ok()) return checked.WithContext(section->Where());
  return std::optional<MqttOptions>(std::move(options));
}

std::string MqttConfigReference() {
  return "# The MQTT broker that MQTT sources (Shelly over MQTT, Zigbee2MQTT, mqtt_json)\n"
         "# read through; one connection, shared. Without this section no broker is\n"
         "# contacted.\n"
         "mqtt:\n" +
         RenderOptions(kMqttOptions, 2);
}

}  // namespace wattline::agent
