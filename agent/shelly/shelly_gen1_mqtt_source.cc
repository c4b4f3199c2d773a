#include "agent/shelly/shelly_gen1_mqtt_source.h"

#include <array>
#include <utility>

#include "agent/mqtt/mqtt_client.h"
#include "agent/shelly/shelly_gen1_mqtt_parser.h"
#include "common/config/option_table.h"

namespace wattline::agent {
namespace {

constexpr std::array<OptionSpec, 4> kOptions = {{
    {"type", OptionType::kString, "shelly_gen1_mqtt",
     "Shelly 3EM (Gen1) over MQTT; needs the mqtt section"},
    {"device", OptionType::kString, "garage_3em", "The device label of its series", true},
    {"id", OptionType::kString, "shellyem3-123456789",
     "The device's MQTT id, as in its topics shellies/<id>/emeter/0/power", true},
    {"availability_interval", OptionType::kDuration, "60s",
     "How often device_online is repeated while known, so it does not go stale"},
}};

Result<SourceConfig> Read(const ConfigNode& entry, const SourceConfigContext&) {
  Result<OptionValues> values = ReadOptions(&entry, kOptions, "sources[]");
  if (!values.ok()) return values.status();
  ShellyGen1MqttOptions options;
  options.device = values->String("device");
  options.id = values->String("id");
  options.availability_interval_ms = values->DurationMs("availability_interval");
  if (options.device.empty()) {
    return Status::InvalidArgument(entry.Where() + ": device must not be empty");
  }
  if (options.id.empty() || options.id.find_first_of("/+#") != std::string::npos ||
      !CheckMqttTopicFilter("shellies/" + options.id + "/emeter/+/+").ok()) {
    return Status::InvalidArgument(entry.Where() + ": id \"" + options.id +
                                   "\" must be one topic level without wildcards");
  }
  if (options.availability_interval_ms < 1000) {
    return Status::InvalidArgument(entry.Where() + ": availability_interval must be >= 1s");
  }
  SourceConfig config;
  config.devices = {options.device};
  config.needs_mqtt = true;
  config.create = [options](const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
    if (env.mqtt == nullptr) {
      return Status::InvalidArgument("shelly_gen1_mqtt " + options.device +
                                     ": needs the mqtt section (a broker)");
    }
    return std::unique_ptr<Source>(std::make_unique<ShellyGen1MqttSource>(
        env.loop, options, env.mqtt, env.clock, env.sink));
  };
  return config;
}

std::string Reference() { return RenderOptions(kOptions, 4); }

}  // namespace

const SourceType& ShellyGen1MqttSourceType() {
  static const SourceType type{"shelly_gen1_mqtt", "Shelly 3EM (Gen1) over MQTT", Read,
                               Reference};
  return type;
}

ShellyGen1MqttSource::ShellyGen1MqttSource(uv_loop_t* loop, ShellyGen1MqttOptions options,
                                           MqttClient* client, const Clock* clock,
                                           SampleSink sink)
    : options_(std::move(options)),
      prefix_("shellies/" + options_.id + "/"),
      clock_(clock),
      sink_(std::move(sink)),
      online_(loop, client, clock, sink_, options_.device, options_.availability_interval_ms),
      subscriber_(client, {prefix_ + "emeter/+/+", prefix_ + "online"},
                  [this](const MqttMessage& message) { OnMessage(message); }) {
  health_.device = options_.device;
}

Status ShellyGen1MqttSource::Start() {
  WATTLINE_RETURN_IF_ERROR(online_.Start());
  subscriber_.Start();
  return Status::Ok();
}

void ShellyGen1MqttSource::Stop() {
  subscriber_.Stop();
  online_.Stop();
}

void ShellyGen1MqttSource::OnMessage(const MqttMessage& message) {
  if (message.topic.substr(0, prefix_.size()) != prefix_) return;
  const std::string_view subtopic = message.topic.substr(prefix_.size());
  if (subtopic == "online") {
    ++health_.polls;
    Result<bool> online = online_.OnPayload(message.payload);
    if (!online.ok()) RecordError(online.status().WithContext(std::string(message.topic)));
    return;
  }
  // A retained reading is of unknown age; the next one follows soon.
  if (message.retained) return;
  ++health_.polls;
  const int64_t now_ms = clock_->NowUnixMs();
  Samples samples;
  Status status = ParseShellyGen1Message(subtopic, message.payload, options_.device, now_ms,
                                         &samples);
  if (!status.ok()) {
    RecordError(status.WithContext(std::string(message.topic)));
    return;
  }
  if (samples.empty()) return;
  health_.RecordSuccess(now_ms, -1, samples.size());
  sink_(std::move(samples));
}

void ShellyGen1MqttSource::RecordError(const Status& status) {
  health_.RecordError(kErrorMalformed);
  if (error_log_.Allow(clock_->NowMonotonicMs())) {
    LogWarning("source " + options_.device, status.ToString());
  }
}

}  // namespace wattline::agent
