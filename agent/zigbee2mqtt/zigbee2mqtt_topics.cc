#include "agent/zigbee2mqtt/zigbee2mqtt_topics.h"

namespace wattline::agent {
namespace {

using Kind = Z2mTopic::Kind;

Z2mTopic Bridge(std::string_view rest) {
  if (rest == "devices") return {Kind::kDeviceList, {}};
  if (rest == "event") return {Kind::kBridgeEvent, {}};
  if (rest == "response/device/rename") return {Kind::kRenameResponse, {}};
  if (rest == "state") return {Kind::kBridgeState, {}};
  return {};
}

// What follows a device's name: "" state, "/availability", or ignored.
Z2mTopic AfterName(std::string_view name, std::string_view suffix) {
  if (suffix.empty()) return {Kind::kState, name};
  if (suffix == "/availability") return {Kind::kAvailability, name};
  return {};
}

}  // namespace

Z2mTopic ClassifyZ2mTopic(std::string_view topic, std::string_view base_topic,
                          const Z2mFriendlyNames* known) {
  if (topic.size() <= base_topic.size() + 1 || !topic.starts_with(base_topic) ||
      topic[base_topic.size()] != '/') {
    return {};
  }
  const std::string_view rest = topic.substr(base_topic.size() + 1);
  if (rest.starts_with("bridge/")) return Bridge(rest.substr(7));
  if (rest == "bridge") return {};

  if (known != nullptr) {
    // The longest known name that is the whole rest or a '/'-bounded prefix.
    for (size_t end = rest.size(); end != std::string_view::npos && end > 0;
         end = rest.rfind('/', end - 1)) {
      const std::string_view name = rest.substr(0, end);
      if (known->contains(name)) return AfterName(name, rest.substr(end));
    }
    return {};
  }

  if (rest.ends_with("/availability")) {
    return {Kind::kAvailability, rest.substr(0, rest.size() - 13)};
  }
  // Commands: <name>/set, <name>/get, <name>/set/<attribute>, ...: any level
  // but the first that is "set" or "get".
  for (size_t slash = rest.find('/'); slash != std::string_view::npos;
       slash = rest.find('/', slash + 1)) {
    const std::string_view level = rest.substr(slash + 1, rest.find('/', slash + 1) - slash - 1);
    if (level == "set" || level == "get") return {};
  }
  return {Kind::kState, rest};
}

}  // namespace wattline::agent
