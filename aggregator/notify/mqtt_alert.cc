#include "aggregator/notify/mqtt_alert.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "aggregator/notify/alertmanager.h"
#include "common/fnv1a.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr size_t kMaxReadableChars = 32;

// Short, and fixed for ever: the topic of an alert stays its own.
uint64_t Fingerprint(const Labels& labels) {
  uint64_t hash = kFnv1a64Start;
  for (const Label& label : labels) {
    hash = Fnv1a64("\xff", Fnv1a64(label.name, hash));
    hash = Fnv1a64("\xff", Fnv1a64(label.value, hash));
  }
  return hash;
}

std::string DiscoveryConfig(const MqttPublisherOptions& options, const Labels& labels,
                            const std::string& object_id, const std::string& state_topic) {
  std::string name(LabelValue(labels, "alertname"));
  for (const Label& label : labels) {
    if (label.name != "alertname") name += " " + label.value;
  }
  const OrderedJson config = {
      {"name", name},
      {"unique_id", object_id},
      {"state_topic", state_topic},
      {"value_template", "{{ value_json.state }}"},
      {"payload_on", "ON"},
      {"payload_off", "OFF"},
      {"json_attributes_topic", state_topic},
      {"device_class", "problem"},
      {"availability_topic", MqttStatusTopic(options)},
      {"payload_available", kMqttOnline},
      {"payload_not_available", kMqttOffline},
      {"device",
       {{"identifiers", {"wattline_" + MqttTopicLevel(options.topic_prefix)}},
        {"name", "Wattline alerts (" + options.topic_prefix + ")"},
        {"manufacturer", "Wattline"}}}};
  return config.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace

std::string MqttAlert(const Alert& alert, std::string_view expr, const AlertContext& context) {
  const bool firing = alert.state != AlertState::kInactive;
  OrderedJson payload = {{"status", firing ? "firing" : "resolved"},
                         {"state", firing ? "ON" : "OFF"}};
  payload.update(OrderedJson::parse(AlertmanagerAlert(alert, expr, context)));
  // JSON has no NaN or infinity.
  payload["value"] = std::isfinite(alert.value) ? OrderedJson(alert.value) : OrderedJson(nullptr);
  return payload.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

std::string MqttTopicLevel(std::string_view text) {
  if (text.empty()) return "_";
  std::string level(text);
  for (char& c : level) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-';
    if (!safe) c = '_';
  }
  return level;
}

std::string MqttAlertId(const Labels& labels) {
  std::string readable;
  for (const Label& label : labels) {
    if (label.name == "alertname") continue;
    if (!readable.empty()) readable += '_';
    readable += label.value;
  }
  readable = readable.empty() ? "" : MqttTopicLevel(readable.substr(0, kMaxReadableChars));
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016" PRIx64, Fingerprint(labels));
  return (readable.empty() ? "" : readable + "-") + std::string(hex, 12);
}

Result<std::vector<MqttMessage>> MqttAlertMessages(const MqttPublisherOptions& options,
                                                   std::string_view payload) {
  const Json alert = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!alert.is_object() || !alert.contains("labels") || !alert["labels"].is_object()) {
    return Status::InvalidArgument("queued MQTT alert is not an alert's JSON");
  }
  Labels labels;  // sorted: Json's objects are ordered by key
  for (const auto& [name, value] : alert["labels"].items()) {
    if (!value.is_string()) return Status::InvalidArgument("queued MQTT alert's labels");
    labels.push_back({name, value.get<std::string>()});
  }
  const std::string alertname = MqttTopicLevel(LabelValue(labels, "alertname"));
  const std::string id = MqttAlertId(labels);
  const std::string topic = options.topic_prefix + "/alerts/" + alertname + "/" + id;
  std::vector<MqttMessage> messages;
  if (!options.discovery_prefix.empty()) {
    const std::string object_id = "wattline_" + alertname + "_" + id;
    messages.push_back({options.discovery_prefix + "/binary_sensor/" + object_id + "/config",
                        DiscoveryConfig(options, labels, object_id, topic)});
  }
  messages.push_back({topic, std::string(payload)});
  return messages;
}

}  // namespace wattline::aggregator
