#include "agent/mqtt_json/mqtt_json_source.h"

#include <utility>

#include "agent/mqtt/mqtt_client.h"
#include "agent/mqtt_json/mqtt_json_profiles.h"

namespace wattline::agent {
namespace {

constexpr std::string_view kReference = R"(    type: mqtt_json
    # A built-in profile (tasmota_energy, opendtu, ahoy) or PROFILE_DIR/NAME.yaml;
    # may be left out when series are given here
    profile: tasmota_energy
    # Subscription, replacing the profile's; {name} captures a topic level as a label
    topic: tele/{device}/#
    # Fixed labels on every series
    labels: {site: garage}
    # Where the payload holds the device's own time ("": arrival time is used)
    timestamp_path: Time
    # Zone of device times without one: local (the agent's), utc, or +01:00
    timestamp_zone: local
    # Device time further than this from the arrival time is not used
    timestamp_max_skew: 5m
    # Series after the profile's, e.g. the second channel of a Tasmota with two:
    #   - {topic: SENSOR, path: "ENERGY.Power[1]", metric: power_watts, labels: {channel: "2"}}
    series: []
)";

Result<SourceConfig> Read(const ConfigNode& entry, const SourceConfigContext& context) {
  if (entry.kind != ConfigNode::Kind::kMap) {
    return Status::InvalidArgument(entry.Where() + ": sources[] must be a mapping of options");
  }
  MqttJsonMapping mapping;
  for (const auto& [key, value] : entry.entries) {
    if (key != "type" && key != "profile" && !IsMqttJsonMappingKey(key)) {
      return Status::InvalidArgument(value.Where() + ": unknown option sources[]." + key);
    }
  }
  if (const ConfigNode* profile = entry.Find("profile");
      profile != nullptr && profile->kind != ConfigNode::Kind::kNull) {
    if (profile->kind != ConfigNode::Kind::kScalar) {
      return Status::InvalidArgument(profile->Where() + ": sources[].profile must be a name");
    }
    Result<ConfigNode> tree = FindMqttJsonProfile(profile->scalar, context.profile_dir);
    if (!tree.ok()) return tree.status().WithContext(profile->Where());
    WATTLINE_RETURN_IF_ERROR(ReadMqttJsonProfile(*tree, &mapping));
  }
  WATTLINE_RETURN_IF_ERROR(ReadMqttJsonMappingLayer(entry, /*is_profile=*/false, &mapping));
  WATTLINE_RETURN_IF_ERROR(CheckMqttJsonMapping(mapping, entry.Where()));
  Status filter = CheckMqttTopicFilter(mapping.topic->filter());
  if (!filter.ok()) return filter.WithContext(entry.Where() + ": topic");

  SourceConfig config;
  config.needs_mqtt = true;
  std::string_view fixed_device = LabelValue(mapping.labels, "device");
  if (!fixed_device.empty()) config.devices = {std::string(fixed_device)};
  config.create = [mapping](const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
    if (env.mqtt == nullptr) {
      return Status::InvalidArgument("mqtt_json " + mapping.topic->text() +
                                     ": needs the mqtt section (a broker)");
    }
    return std::unique_ptr<Source>(
        std::make_unique<MqttJsonSource>(mapping, env.mqtt, env.clock, env.sink));
  };
  return config;
}

std::string Reference() { return std::string(kReference); }

}  // namespace

const SourceType& MqttJsonSourceType() {
  static const SourceType type{
      "mqtt_json", "Readings in MQTT messages (Tasmota, OpenDTU, AhoyDTU, your own mapping)", Read,
      Reference};
  return type;
}

MqttJsonSource::MqttJsonSource(MqttJsonMapping mapping, MqttClient* client, const Clock* clock,
                               SampleSink sink)
    : mapper_(std::move(mapping)),
      clock_(clock),
      sink_(std::move(sink)),
      name_("mqtt_json " + mapper_.mapping().topic->filter()),
      subscriber_(client, {mapper_.mapping().topic->filter()},
                  [this](const MqttMessage& message) { OnMessage(message); }) {}

Status MqttJsonSource::Start() {
  subscriber_.Start();
  return Status::Ok();
}

void MqttJsonSource::Stop() { subscriber_.Stop(); }

void MqttJsonSource::AppendHealth(std::vector<DeviceHealth>* out) const {
  for (const auto& [device, health] : health_) out->push_back(health);
}

void MqttJsonSource::OnMessage(const MqttMessage& message) {
  const int64_t now_ms = clock_->NowUnixMs();
  Samples samples;
  MqttJsonOutcome outcome =
      mapper_.Map(message.topic, message.payload, message.retained, now_ms, &samples);
  if (!outcome.matched) return;
  const std::string& device = outcome.device.empty() ? name_ : outcome.device;
  auto it = health_.find(device);
  if (it == health_.end()) {
    if (health_.size() >= kMaxDevices) {
      if (overflow_log_.Allow(clock_->NowMonotonicMs())) {
        LogWarning(name_, "more than " + std::to_string(kMaxDevices) +
                              " devices; dropping messages of new ones such as \"" + device +
                              "\" (is the topic too wide?)");
      }
      return;
    }
    it = health_.emplace(device, DeviceHealth{}).first;
    it->second.device = device;
  }
  DeviceHealth& health = it->second;
  ++health.polls;
  if (!outcome.error.ok()) {
    health.RecordError(kErrorMalformed);
    if (error_log_.Allow(clock_->NowMonotonicMs())) {
      LogWarning(name_, std::string(message.topic) + ": " + outcome.error.message());
    }
  }
  if (!outcome.time_note.empty() && time_log_.Allow(clock_->NowMonotonicMs())) {
    LogWarning(name_,
               std::string(message.topic) + ": " + outcome.time_note + "; using the arrival time");
  }
  if (outcome.error.ok() || !samples.empty()) {
    health.RecordSuccess(now_ms, /*latency_ms=*/-1, samples.size());
  }
  if (!samples.empty()) sink_(std::move(samples));
}

}  // namespace wattline::agent
