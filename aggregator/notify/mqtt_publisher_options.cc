#include "aggregator/notify/mqtt_publisher_options.h"

#include <mosquitto.h>

#include <string_view>

namespace wattline::aggregator {
namespace {

Status CheckTopicPrefix(const std::string& prefix, std::string_view option) {
  if (prefix.empty() || prefix.front() == '/' || prefix.back() == '/' ||
      prefix.find_first_of(std::string_view("+#\0", 3)) != std::string::npos) {
    return Status::InvalidArgument(std::string(option) + " \"" + prefix +
                                   "\" must be topic levels without '+', '#', NUL or a leading "
                                   "or trailing '/'");
  }
  if (mosquitto_validate_utf8(prefix.c_str(), static_cast<int>(prefix.size())) !=
      MOSQ_ERR_SUCCESS) {
    return Status::InvalidArgument(std::string(option) + " is not valid UTF-8");
  }
  return Status::Ok();
}

}  // namespace

std::string MqttStatusTopic(const MqttPublisherOptions& options) {
  return options.topic_prefix + "/status";
}

Status CheckMqttPublisherOptions(const MqttPublisherOptions& options) {
  WATTLINE_RETURN_IF_ERROR(CheckMqttOptions(options.broker));
  WATTLINE_RETURN_IF_ERROR(CheckTopicPrefix(options.topic_prefix, "mqtt topic prefix"));
  if (!options.discovery_prefix.empty()) {
    WATTLINE_RETURN_IF_ERROR(CheckTopicPrefix(options.discovery_prefix, "mqtt discovery prefix"));
  }
  if (options.connect_timeout_ms <= 0) {
    return Status::InvalidArgument("mqtt connect timeout must be > 0");
  }
  return Status::Ok();
}

}  // namespace wattline::aggregator
