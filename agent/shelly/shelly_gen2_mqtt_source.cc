#include "agent/shelly/shelly_gen2_mqtt_source.h"

#include <array>
#include <utility>

#include "agent/mqtt/mqtt_client.h"
#include "agent/shelly/shelly_emdata_backfill.h"
#include "common/config/option_table.h"

namespace wattline::agent {
namespace {

constexpr std::array<OptionSpec, 8> kOptions = {{
    {"type", OptionType::kString, "shelly_gen2_mqtt",
     "Shelly Gen2/3/4 meter or metering switch over MQTT; needs the mqtt section"},
    {"device", OptionType::kString, "workshop_pro3em", "The device label of its series", true},
    {"topic_prefix", OptionType::kString, "shellypro3em-8813bfe14804",
     "The device's MQTT topic prefix (MQTT.GetConfig topic_prefix; default: its id)", true},
    {"availability_interval", OptionType::kDuration, "60s",
     "How often device_online is repeated while known, so it does not go stale"},
    {"url", OptionType::kString, "",
     "Pro 3EM: its HTTP address, to fetch its recorded minutes after an agent outage; empty: no "
     "backfill"},
    {"password", OptionType::kString, "",
     "The device's HTTP password (user admin, digest auth), for url; empty when off"},
    {"timeout", OptionType::kDuration, "5s", "Per-request timeout of the backfill's requests"},
    {"backfill_max", OptionType::kDuration, "7d",
     "With url: ship recorded minutes up to this far back; 0 turns the backfill off"},
}};

Result<SourceConfig> Read(const ConfigNode& entry, const SourceConfigContext&) {
  Result<OptionValues> values = ReadOptions(&entry, kOptions, "sources[]");
  if (!values.ok()) return values.status();
  ShellyGen2MqttOptions options;
  options.device = values->String("device");
  options.topic_prefix = values->String("topic_prefix");
  options.availability_interval_ms = values->DurationMs("availability_interval");
  if (options.device.empty()) {
    return Status::InvalidArgument(entry.Where() + ": device must not be empty");
  }
  const std::string& prefix = options.topic_prefix;
  if (prefix.empty() || prefix.back() == '/' || prefix.find_first_of("+#") != std::string::npos ||
      !CheckMqttTopicFilter(prefix + "/status/+").ok()) {
    return Status::InvalidArgument(entry.Where() + ": topic_prefix \"" + prefix +
                                   "\" must be a topic without wildcards or a trailing '/'");
  }
  if (options.availability_interval_ms < 1000) {
    return Status::InvalidArgument(entry.Where() + ": availability_interval must be >= 1s");
  }
  SourceConfig config;
  config.devices = {options.device};
  config.needs_mqtt = true;
  config.create = [options](const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
    if (env.mqtt == nullptr) {
      return Status::InvalidArgument("shelly_gen2_mqtt " + options.device +
                                     ": needs the mqtt section (a broker)");
    }
    return std::unique_ptr<Source>(std::make_unique<ShellyGen2MqttSource>(
        env.loop, options, env.mqtt, env.clock, env.sink));
  };

  // A Pro 3EM's recorded history after an agent outage: shelly_emdata_backfill.h.
  ShellyHttpSourceOptions http;
  http.device = options.device;
  http.url = values->String("url");
  http.password = values->String("password");
  http.timeout_ms = values->DurationMs("timeout");
  const int64_t backfill_max_ms = values->DurationMs("backfill_max");
  if (http.url.empty()) {
    if (!http.password.empty()) {
      return Status::InvalidArgument(entry.Where() + ": password is for url, which is not set");
    }
    return config;
  }
  if (http.url.rfind("http://", 0) != 0 && http.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(entry.Where() + ": url must start with http:// or https://");
  }
  if (http.timeout_ms <= 0 || backfill_max_ms < 0) {
    return Status::InvalidArgument(entry.Where() + ": timeout must be > 0, backfill_max >= 0");
  }
  if (!http.password.empty()) {
    http.auth = HttpAuthKind::kDigest;
    http.username = "admin";  // Gen2+ knows no other user (DEVICES.md B.1)
  }
  return WithEmDataBackfill(std::move(config), http, backfill_max_ms);
}

std::string Reference() { return RenderOptions(kOptions, 4); }

}  // namespace

const SourceType& ShellyGen2MqttSourceType() {
  static const SourceType type{
      "shelly_gen2_mqtt",
      "Shelly Gen2/3/4 meters and metering switches (Pro 3EM, Plus 1PM...) over MQTT", Read,
      Reference};
  return type;
}

ShellyGen2MqttSource::ShellyGen2MqttSource(uv_loop_t* loop, ShellyGen2MqttOptions options,
                                           MqttClient* client, const Clock* clock,
                                           SampleSink sink)
    : options_(std::move(options)),
      prefix_(options_.topic_prefix + "/"),
      clock_(clock),
      sink_(std::move(sink)),
      status_(options_.device),
      online_(loop, client, clock, sink_, options_.device, options_.availability_interval_ms),
      subscriber_(client, {prefix_ + "events/rpc", prefix_ + "status/+", prefix_ + "online"},
                  [this](const MqttMessage& message) { OnMessage(message); }) {
  health_.device = options_.device;
}

Status ShellyGen2MqttSource::Start() {
  WATTLINE_RETURN_IF_ERROR(online_.Start());
  subscriber_.Start();
  return Status::Ok();
}

void ShellyGen2MqttSource::Stop() {
  subscriber_.Stop();
  online_.Stop();
}

void ShellyGen2MqttSource::OnMessage(const MqttMessage& message) {
  if (message.topic.substr(0, prefix_.size()) != prefix_) return;
  const std::string_view subtopic = message.topic.substr(prefix_.size());
  ++health_.polls;
  const int64_t now_ms = clock_->NowUnixMs();
  Samples samples;
  Status status;
  constexpr std::string_view kStatus = "status/";
  if (subtopic == "events/rpc") {
    status = status_.OnRpcFrame(message.payload, message.retained, now_ms, &samples);
  } else if (subtopic.substr(0, kStatus.size()) == kStatus) {
    status = status_.OnComponentStatus(subtopic.substr(kStatus.size()), message.payload,
                                       message.retained, now_ms, &samples);
  } else if (subtopic == "online") {
    Result<bool> online = online_.OnPayload(message.payload);
    status = online.status();
    // What it reports after it is back is not relative to what it sent before.
    if (online.ok() && !*online) status_.Clear();
  }
  if (!status.ok()) {
    health_.RecordError(status.code() == Status::Code::kUnavailable ? kErrorDevice
                                                                     : kErrorMalformed);
    if (error_log_.Allow(clock_->NowMonotonicMs())) {
      LogWarning("source " + options_.device, std::string(message.topic) + ": " + status.ToString());
    }
  }
  if (samples.empty()) return;
  health_.RecordSuccess(now_ms, -1, samples.size());
  sink_(std::move(samples));
}

}  // namespace wattline::agent
