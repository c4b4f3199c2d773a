#include "agent/zigbee2mqtt/zigbee2mqtt_source.h"

#include <gtest/gtest.h>

#include <map>

#include "agent/mqtt_json/mqtt_source_test_fixture.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_source_type.h"
#include "agent/zigbee2mqtt/zigbee2mqtt_test_data.h"
#include "common/config/config_tree.h"

namespace wattline::agent {
namespace {

std::map<std::string, double> ByName(const Samples& samples) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) out[LabelsToString(sample.labels)] = sample.value;
  return out;
}

class Zigbee2MqttSourceTest : public testing::MqttSourceTest {
 protected:
  void MakeSource(Zigbee2MqttOptions options = {}) {
    source_ = std::make_unique<Zigbee2MqttSource>(&loop_, std::move(options), client_.get(),
                                                  &clock_, Sink());
  }
  // Takes what arrived so far.
  std::map<std::string, double> Take() {
    std::map<std::string, double> out = ByName(received_);
    received_.clear();
    return out;
  }
};

const std::map<std::string, double> kZ1 = {
    {R"(power_watts{device="z1"})", 0},
    {R"(current_amperes{device="z1"})", 0},
    {R"(voltage_volts{device="z1"})", 243},
    {R"(energy_imported_watt_hours_total{device="z1"})", 12.05 * 1000},
    {R"(link_quality{device="z1"})", 43},
};

TEST_F(Zigbee2MqttSourceTest, Ts011fCaptureAvailabilityAndIgnoredTopics) {
  // What a running bridge has retained when the agent starts.
  Publish("zigbee2mqtt/bridge/state", R"({"state":"online"})", true);
  Publish("zigbee2mqtt/bridge/devices", testing::kBridgeDevices, true);
  Publish("zigbee2mqtt/z1/availability", R"({"state":"online"})", true);
  Publish("zigbee2mqtt/kitchen/floor_plug/availability", "offline", true);  // legacy form
  Publish("zigbee2mqtt/z1", R"({"power":999})", true);  // retained state: age unknown
  MakeSource();
  StartAndSync();
  EXPECT_EQ(Take(), (std::map<std::string, double>{
                        {R"(device_online{device="z1"})", 1},
                        {R"(device_online{device="kitchen/floor_plug"})", 0},
                    }));

  Publish("zigbee2mqtt/z1", testing::kTs011fState);
  for (const auto& [topic, payload] : testing::kTs011fAttributes)
    Publish(std::string(topic), payload);
  Publish("zigbee2mqtt/z1/set", R"({"state":"ON"})");
  Publish("zigbee2mqtt/bridge/info", R"({"version":"2.0.0","power":5})");
  Publish("zigbee2mqtt/bridge/logging", R"({"level":"info","message":"power: 5"})");
  Publish("zigbee2mqtt/my_group", R"({"state":"ON","power":12})");
  Publish("zigbee2mqtt/kitchen/floor_plug", R"({"power":1150,"current":5020})");
  Sync();
  std::map<std::string, double> expected = kZ1;
  expected[R"(power_watts{device="kitchen/floor_plug"})"] = 1150;
  expected[R"(current_amperes{device="kitchen/floor_plug"})"] = 5020 * 0.001;
  EXPECT_EQ(Take(), expected);

  const DeviceHealth* z1 = Health("z1");
  ASSERT_NE(z1, nullptr);
  EXPECT_EQ(z1->polls, 2u) << "availability and one state; not attributes, /set, retained";
  EXPECT_EQ(z1->errors, 0u);
  EXPECT_EQ(z1->samples, 6u);
  EXPECT_EQ(z1->last_success_unix_ms, clock_.NowUnixMs());
  // Every device of the list has health, also those not heard from.
  EXPECT_NE(Health("my_sensor"), nullptr);
  EXPECT_EQ(Health("my_sensor")->polls, 0u);
  EXPECT_EQ(Health("Coordinator"), nullptr);
  EXPECT_EQ(health_.size(), 4u);
}

TEST_F(Zigbee2MqttSourceTest, MalformedPayloadsAreCountedAndDoNotStopTheSource) {
  Publish("zigbee2mqtt/bridge/devices", testing::kBridgeDevices, true);
  MakeSource();
  StartAndSync();
  Publish("zigbee2mqtt/z1", "{\"power\":");
  Publish("zigbee2mqtt/z1", "[1,2,3]");
  Publish("zigbee2mqtt/z1/availability", "maybe");
  Publish("zigbee2mqtt/z1", R"({"power":"lots","voltage":231})");
  Publish("zigbee2mqtt/bridge/devices", "not json");  // keeps the list it has
  Publish("zigbee2mqtt/z1", R"({"power":12.5})");
  Sync();
  EXPECT_EQ(Take(), (std::map<std::string, double>{{R"(voltage_volts{device="z1"})", 231},
                                                   {R"(power_watts{device="z1"})", 12.5}}));
  const DeviceHealth* z1 = Health("z1");
  ASSERT_NE(z1, nullptr);
  EXPECT_EQ(z1->polls, 5u);
  EXPECT_EQ(z1->errors, 4u);
  EXPECT_EQ(z1->errors_by_reason.at("malformed"), 4u);
}

TEST_F(Zigbee2MqttSourceTest, RenamedDeviceKeepsItsHealthAndTheLabelFollows) {
  Publish("zigbee2mqtt/bridge/devices", testing::kBridgeDevices, true);
  MakeSource();
  StartAndSync();
  Publish("zigbee2mqtt/z1", R"({"power":1})");
  Publish("zigbee2mqtt/bridge/response/device/rename",
          R"({"data":{"from":"z1","to":"hall/plug","homeassistant_rename":false},"status":"ok"})");
  Publish("zigbee2mqtt/hall/plug", R"({"power":2})");
  Publish("zigbee2mqtt/z1", R"({"power":3})");  // nobody has this name any more
  Sync();
  EXPECT_EQ(Take(), (std::map<std::string, double>{{R"(power_watts{device="z1"})", 1},
                                                   {R"(power_watts{device="hall/plug"})", 2}}));
  EXPECT_EQ(Health("z1"), nullptr);
  ASSERT_NE(Health("hall/plug"), nullptr);
  EXPECT_EQ(Health("hall/plug")->polls, 2u) << "the same device, by its IEEE address";

  // Zigbee2MQTT then republishes the list with the new name; nothing is lost,
  // and a second rename through bridge/event works as well.
  std::string renamed(testing::kBridgeDevices);
  renamed.replace(renamed.find("\"z1\""), 4, "\"hall/plug\"");
  Publish("zigbee2mqtt/bridge/devices", renamed, true);
  Publish("zigbee2mqtt/bridge/event",
          R"({"type":"device_renamed","data":{"from":"hall/plug","to":"hall/lamp"}})");
  Publish("zigbee2mqtt/hall/lamp", R"({"power":4})");
  Sync();
  EXPECT_EQ(Take(), (std::map<std::string, double>{{R"(power_watts{device="hall/lamp"})", 4}}));
  EXPECT_EQ(Health("hall/lamp")->polls, 3u);
}

TEST_F(Zigbee2MqttSourceTest, BeforeTheDeviceListJsonObjectsAreStates) {
  MakeSource();
  StartAndSync();
  Publish("zigbee2mqtt/z1", testing::kTs011fState);
  for (const auto& [topic, payload] : testing::kTs011fAttributes)
    Publish(std::string(topic), payload);
  Publish("zigbee2mqtt/z1/availability", "online");
  Sync();
  std::map<std::string, double> expected = kZ1;
  expected[R"(device_online{device="z1"})"] = 1;
  EXPECT_EQ(Take(), expected);
  ASSERT_NE(Health("z1"), nullptr);
  EXPECT_EQ(Health("z1")->polls, 2u);

  // The list arrives: the device keeps its health, its exposes now decide.
  Publish("zigbee2mqtt/bridge/devices", testing::kBridgeDevices, true);
  Publish("zigbee2mqtt/kitchen", R"({"voltage":3005})");
  Sync();
  EXPECT_EQ(Take(),
            (std::map<std::string, double>{{R"(voltage_volts{device="kitchen"})", 3005 * 0.001}}));
  EXPECT_EQ(Health("z1")->polls, 2u);
}

TEST_F(Zigbee2MqttSourceTest, ExcludeRenameAndPrefix) {
  Publish("zigbee2mqtt/bridge/devices", testing::kBridgeDevices, true);
  Zigbee2MqttOptions options;
  options.device_prefix = "z2m_";
  options.exclude = {"kitchen"};
  options.rename = {{"0xa4c138280528b031", "coffee"}, {"kitchen/floor_plug", "floor"}};
  MakeSource(options);
  StartAndSync();
  Publish("zigbee2mqtt/z1", R"({"power":5})");
  Publish("zigbee2mqtt/kitchen/floor_plug", R"({"power":6})");
  Publish("zigbee2mqtt/kitchen", R"({"temperature":21.5})");
  Sync();
  EXPECT_EQ(Take(), (std::map<std::string, double>{{R"(power_watts{device="z2m_coffee"})", 5},
                                                   {R"(power_watts{device="z2m_floor"})", 6}}));
  EXPECT_EQ(Health("z2m_kitchen"), nullptr);
  EXPECT_EQ(Health("kitchen"), nullptr);
  EXPECT_EQ(health_.size(), 3u);
}

TEST_F(Zigbee2MqttSourceTest, IncludeByNameOrAddress) {
  Publish("zigbee2mqtt/bridge/devices", testing::kBridgeDevices, true);
  Zigbee2MqttOptions options;
  options.include = {"my_sensor", "0x00137a000004f2b1"};
  MakeSource(options);
  StartAndSync();
  Publish("zigbee2mqtt/z1", R"({"power":5})");
  Publish("zigbee2mqtt/kitchen/floor_plug", R"({"power":6})");
  Publish("zigbee2mqtt/my_sensor", R"({"illuminance":80})");
  Sync();
  EXPECT_EQ(Take(),
            (std::map<std::string, double>{{R"(power_watts{device="kitchen/floor_plug"})", 6},
                                           {R"(illuminance_lux{device="my_sensor"})", 80}}));
}

TEST_F(Zigbee2MqttSourceTest, AvailabilityIsRepeatedAndZeroWhileTheBridgeIsOffline) {
  Publish("zigbee2mqtt/bridge/devices", testing::kBridgeDevices, true);
  Publish("zigbee2mqtt/z1/availability", R"({"state":"online"})", true);
  Zigbee2MqttOptions options;
  options.availability_interval_ms = 1000;
  MakeSource(options);
  StartAndSync();
  EXPECT_EQ(Take(), (std::map<std::string, double>{{R"(device_online{device="z1"})", 1}}));
  ASSERT_TRUE(RunUntil([&] { return !received_.empty(); }, 5000)) << "no repeat";
  EXPECT_EQ(Take(), (std::map<std::string, double>{{R"(device_online{device="z1"})", 1}}));

  Publish("zigbee2mqtt/bridge/state", "offline", true);
  Sync();
  EXPECT_EQ(Take(), (std::map<std::string, double>{{R"(device_online{device="z1"})", 0}}));
  Publish("zigbee2mqtt/bridge/state", R"({"state":"online"})", true);
  Sync();
  received_.clear();  // a repeat from before the bridge came back
  ASSERT_TRUE(RunUntil([&] { return !received_.empty(); }, 5000));
  EXPECT_EQ(Take(), (std::map<std::string, double>{{R"(device_online{device="z1"})", 1}}));
}

Result<SourceConfig> ReadEntry(std::string_view yaml) {
  Result<ConfigNode> entry = ParseYamlConfig(yaml, "agent.yaml");
  if (!entry.ok()) return entry.status();
  return Zigbee2MqttSourceType().read(*entry, SourceConfigContext{});
}

TEST(Zigbee2MqttSourceConfig, ReadsListsAndDeclaresRenamedDevices) {
  Result<SourceConfig> config = ReadEntry(R"(
type: zigbee2mqtt
base_topic: home/zigbee
device_prefix: z_
include: [z1, "0x00137a000004f2b1"]
rename: {"0xa4c138280528b031": coffee, kitchen: kitchen_sensor}
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->needs_mqtt);
  EXPECT_EQ(config->devices, (std::vector<std::string>{"z_coffee", "z_kitchen_sensor"}));
}

// The labels are the names as they are when no prefix is configured (the
// default once read as the two characters "").
TEST(Zigbee2MqttSourceConfig, NoPrefixByDefault) {
  Result<SourceConfig> config = ReadEntry("type: zigbee2mqtt\nrename: {kitchen: kitchen_sensor}\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->devices, (std::vector<std::string>{"kitchen_sensor"}));
}

TEST(Zigbee2MqttSourceConfig, RefusesWhatCannotWork) {
  struct Case {
    std::string_view yaml;
    std::string_view message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"type: zigbee2mqtt\nbase_topic: zigbee2mqtt/#\n",
            "agent.yaml:2:13: sources[].base_topic"},
           {"type: zigbee2mqtt\nbase_topic: zigbee2mqtt/\n", "trailing"},
           {"type: zigbee2mqtt\ninclude: z1\n",
            "agent.yaml:2:10: sources[].include must be a list"},
           {"type: zigbee2mqtt\nexclude: [[a]]\n", "sources[].exclude"},
           {"type: zigbee2mqtt\nrename: [a]\n", "sources[].rename must map"},
           {"type: zigbee2mqtt\nrename: {a: {b: c}}\n", "expected a device label"},
           {"type: zigbee2mqtt\navailability_interval: 10ms\n", ">= 1s"},
           {"type: zigbee2mqtt\nbase_topik: x\n", "unknown option sources[].base_topik"},
       }) {
    Result<SourceConfig> config = ReadEntry(c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.status().message().find(c.message), std::string::npos)
        << c.yaml << "\n"
        << config.status().message();
  }
}

TEST(Zigbee2MqttSourceConfig, ReferenceIsAValidEntry) {
  Result<SourceConfig> config = ReadEntry(Zigbee2MqttSourceType().reference());
  EXPECT_TRUE(config.ok()) << config.status().ToString();
}

}  // namespace
}  // namespace wattline::agent
