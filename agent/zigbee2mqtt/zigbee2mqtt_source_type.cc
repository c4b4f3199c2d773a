#include "agent/zigbee2mqtt/zigbee2mqtt_source_type.h"

#include <array>
#include <memory>

#include "agent/mqtt/mqtt_client.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_source.h"
#include "common/config/option_table.h"

namespace wattline::agent {
namespace {

constexpr std::array<OptionSpec, 4> kOptions = {{
    {"type", OptionType::kString, "zigbee2mqtt", "Zigbee devices through a Zigbee2MQTT bridge"},
    {"base_topic", OptionType::kString, "zigbee2mqtt",
     "Zigbee2MQTT's mqtt.base_topic (its configuration.yaml)"},
    {"device_prefix", OptionType::kString, "",
     "Put before every device label, e.g. z2m_, to keep them apart from other sources"},
    {"availability_interval", OptionType::kDuration, "60s",
     "How often device_online is repeated while known, so it does not go stale"},
}};

// The options that are lists or maps, which the option table does not read.
constexpr std::string_view kReferenceRest =
    R"(    # Only these devices (friendly names or IEEE addresses); empty: all of them
    include: []
    # Never these devices
    exclude: []
    # Device label per friendly name or IEEE address; an IEEE address survives
    # renames in Zigbee2MQTT. E.g. {"0xa4c138280528b031": coffee_machine}
    rename: {}
)";

Result<std::vector<std::string>> ReadList(const ConfigNode* node, std::string_view key) {
  std::vector<std::string> out;
  if (node == nullptr || node->kind == ConfigNode::Kind::kNull) return out;
  if (node->kind != ConfigNode::Kind::kList) {
    return Status::InvalidArgument(node->Where() + ": sources[]." + std::string(key) +
                                   " must be a list of friendly names or IEEE addresses");
  }
  for (const ConfigNode& item : node->items) {
    if (item.kind != ConfigNode::Kind::kScalar || item.scalar.empty()) {
      return Status::InvalidArgument(item.Where() + ": sources[]." + std::string(key) +
                                     ": expected a friendly name or IEEE address");
    }
    out.push_back(item.scalar);
  }
  return out;
}

Result<SourceConfig> Read(const ConfigNode& entry, const SourceConfigContext&) {
  if (entry.kind != ConfigNode::Kind::kMap) {
    return Status::InvalidArgument(entry.Where() + ": sources[] must be a mapping of options");
  }
  // The scalar options go through the table; the rest is read here.
  ConfigNode scalars = entry;
  std::erase_if(scalars.entries, [](const auto& e) {
    return e.first == "include" || e.first == "exclude" || e.first == "rename";
  });
  Result<OptionValues> values = ReadOptions(&scalars, kOptions, "sources[]");
  if (!values.ok()) return values.status();
  Zigbee2MqttOptions options;
  options.base_topic = values->String("base_topic");
  options.device_prefix = values->String("device_prefix");
  options.availability_interval_ms = values->DurationMs("availability_interval");
  const std::string where =
      entry.Find("base_topic") != nullptr ? entry.Find("base_topic")->Where() : entry.Where();
  if (options.base_topic.empty() || options.base_topic.back() == '/' ||
      options.base_topic.find_first_of("+#") != std::string::npos ||
      !CheckMqttTopicFilter(options.base_topic + "/#").ok()) {
    return Status::InvalidArgument(where + ": sources[].base_topic \"" + options.base_topic +
                                   "\" must be a topic without wildcards or a trailing '/'");
  }
  if (options.availability_interval_ms < 1000) {
    return Status::InvalidArgument(entry.Where() +
                                   ": sources[].availability_interval must be >= 1s");
  }
  Result<std::vector<std::string>> include = ReadList(entry.Find("include"), "include");
  if (!include.ok()) return include.status();
  options.include = std::move(*include);
  Result<std::vector<std::string>> exclude = ReadList(entry.Find("exclude"), "exclude");
  if (!exclude.ok()) return exclude.status();
  options.exclude = std::move(*exclude);

  SourceConfig config;
  config.needs_mqtt = true;
  if (const ConfigNode* rename = entry.Find("rename");
      rename != nullptr && rename->kind != ConfigNode::Kind::kNull) {
    if (rename->kind != ConfigNode::Kind::kMap) {
      return Status::InvalidArgument(rename->Where() +
                                     ": sources[].rename must map friendly names or IEEE "
                                     "addresses to device labels");
    }
    for (const auto& [from, to] : rename->entries) {
      if (to.kind != ConfigNode::Kind::kScalar || to.scalar.empty()) {
        return Status::InvalidArgument(to.Where() + ": sources[].rename." + from +
                                       ": expected a device label");
      }
      if (!options.rename.emplace(from, to.scalar).second) {
        return Status::InvalidArgument(to.Where() + ": sources[].rename: " + from +
                                       " is renamed twice");
      }
      config.devices.push_back(options.device_prefix + to.scalar);
    }
  }
  config.create = [options](const SourceEnv& env) -> Result<std::unique_ptr<Source>> {
    if (env.mqtt == nullptr) {
      return Status::InvalidArgument("zigbee2mqtt " + options.base_topic +
                                     ": needs the mqtt section (a broker)");
    }
    return std::unique_ptr<Source>(
        std::make_unique<Zigbee2MqttSource>(env.loop, options, env.mqtt, env.clock, env.sink));
  };
  return config;
}

std::string Reference() { return RenderOptions(kOptions, 4) + std::string(kReferenceRest); }

}  // namespace

const SourceType& Zigbee2MqttSourceType() {
  static const SourceType type{
      "zigbee2mqtt", "Zigbee plugs and sensors through a Zigbee2MQTT bridge", Read, Reference};
  return type;
}

}  // namespace wattline::agent
