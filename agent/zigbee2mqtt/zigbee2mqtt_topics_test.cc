#include "agent/zigbee2mqtt/zigbee2mqtt_topics.h"

#include <gtest/gtest.h>

namespace wattline::agent {
namespace {

using Kind = Z2mTopic::Kind;

const Z2mFriendlyNames kNames = {"z1", "kitchen", "kitchen/floor_plug", "a/b/c"};

void Expect(std::string_view topic, const Z2mFriendlyNames* names, Kind kind,
            std::string_view name = "") {
  Z2mTopic classified = ClassifyZ2mTopic(topic, "zigbee2mqtt", names);
  EXPECT_EQ(classified.kind, kind) << topic;
  EXPECT_EQ(classified.friendly_name, name) << topic;
}

TEST(Z2mTopics, NamesWithSlashesResolveToTheLongestKnownName) {
  Expect("zigbee2mqtt/kitchen", &kNames, Kind::kState, "kitchen");
  Expect("zigbee2mqtt/kitchen/floor_plug", &kNames, Kind::kState, "kitchen/floor_plug");
  Expect("zigbee2mqtt/kitchen/floor_plug/availability", &kNames, Kind::kAvailability,
         "kitchen/floor_plug");
  Expect("zigbee2mqtt/kitchen/availability", &kNames, Kind::kAvailability, "kitchen");
  Expect("zigbee2mqtt/a/b/c", &kNames, Kind::kState, "a/b/c");
  Expect("zigbee2mqtt/a/b", &kNames, Kind::kIgnored);
}

TEST(Z2mTopics, AttributeCommandAndUnknownTopicsAreIgnored) {
  // DEVICES.md C.1: the capture's attribute topics.
  Expect("zigbee2mqtt/z1/power", &kNames, Kind::kIgnored);
  Expect("zigbee2mqtt/z1/state", &kNames, Kind::kIgnored);
  Expect("zigbee2mqtt/kitchen/temperature", &kNames, Kind::kIgnored);
  Expect("zigbee2mqtt/kitchen/floor_plug/power", &kNames, Kind::kIgnored);
  Expect("zigbee2mqtt/z1/set", &kNames, Kind::kIgnored);
  Expect("zigbee2mqtt/z1/get", &kNames, Kind::kIgnored);
  Expect("zigbee2mqtt/z1/set/state", &kNames, Kind::kIgnored);
  Expect("zigbee2mqtt/my_group", &kNames, Kind::kIgnored);
  Expect("zigbee2mqtt", &kNames, Kind::kIgnored);
  Expect("zigbee2mqtt/", &kNames, Kind::kIgnored);
  Expect("zigbee2mqttx/z1", &kNames, Kind::kIgnored);
  Expect("other/z1", &kNames, Kind::kIgnored);
}

TEST(Z2mTopics, BridgeTopics) {
  for (const Z2mFriendlyNames* names : {&kNames, static_cast<const Z2mFriendlyNames*>(nullptr)}) {
    Expect("zigbee2mqtt/bridge/devices", names, Kind::kDeviceList);
    Expect("zigbee2mqtt/bridge/event", names, Kind::kBridgeEvent);
    Expect("zigbee2mqtt/bridge/response/device/rename", names, Kind::kRenameResponse);
    Expect("zigbee2mqtt/bridge/state", names, Kind::kBridgeState);
    Expect("zigbee2mqtt/bridge/info", names, Kind::kIgnored);
    Expect("zigbee2mqtt/bridge/logging", names, Kind::kIgnored);
    Expect("zigbee2mqtt/bridge/groups", names, Kind::kIgnored);
    Expect("zigbee2mqtt/bridge/request/device/rename", names, Kind::kIgnored);
    Expect("zigbee2mqtt/bridge/response/permit_join", names, Kind::kIgnored);
    Expect("zigbee2mqtt/bridge", names, Kind::kIgnored);
  }
}

TEST(Z2mTopics, BeforeTheDeviceListEverythingElseMayBeState) {
  Expect("zigbee2mqtt/kitchen/floor_plug", nullptr, Kind::kState, "kitchen/floor_plug");
  Expect("zigbee2mqtt/z1/power", nullptr, Kind::kState, "z1/power");  // payload decides
  Expect("zigbee2mqtt/kitchen/floor_plug/availability", nullptr, Kind::kAvailability,
         "kitchen/floor_plug");
  Expect("zigbee2mqtt/z1/set", nullptr, Kind::kIgnored);
  Expect("zigbee2mqtt/z1/set/state", nullptr, Kind::kIgnored);
  Expect("zigbee2mqtt/kitchen/get/x", nullptr, Kind::kIgnored);
  Expect("zigbee2mqtt/setting/x", nullptr, Kind::kState, "setting/x");
}

TEST(Z2mTopics, OtherBaseTopics) {
  Z2mTopic topic = ClassifyZ2mTopic("home/zigbee/z1", "home/zigbee", &kNames);
  EXPECT_EQ(topic.kind, Kind::kState);
  EXPECT_EQ(topic.friendly_name, "z1");
}

}  // namespace
}  // namespace wattline::agent
