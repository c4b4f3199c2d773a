#include "agent/mqtt_json/mqtt_json_profiles.h"

#include <gtest/gtest.h>

#include <fstream>

#include "agent/mqtt_json/mqtt_json_source.h"
#include "agent/mqtt_json/mqtt_json_test_util.h"
#include "common/testing/temp_dir.h"

namespace wattline::agent {
namespace {

void Write(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

Result<SourceConfig> ReadEntry(std::string_view yaml, const std::string& profile_dir = "") {
  Result<ConfigNode> entry = ParseYamlConfig(yaml, "agent.yaml");
  if (!entry.ok()) return entry.status();
  SourceConfigContext context;
  context.profile_dir = profile_dir;
  return MqttJsonSourceType().read(*entry, context);
}

TEST(MqttJsonProfiles, EveryBuiltinProfileReadsAndChecks) {
  ASSERT_EQ(BuiltinMqttJsonProfileTexts().size(), 3u);
  for (const MqttJsonProfileText& text : BuiltinMqttJsonProfileTexts()) {
    Result<MqttJsonMapping> mapping = testing::ReadMapping(text.name, "");
    EXPECT_TRUE(mapping.ok()) << text.name << ": " << mapping.status().ToString();
  }
}

TEST(MqttJsonProfiles, AUsersProfileTakesPrecedenceOverTheBuiltin) {
  wattline::testing::TempDir dir;
  Write(dir.File("opendtu.yaml"),
        "topic: pv/{device}/#\nseries:\n  - {topic: ac/power, metric: power_watts}\n");
  Result<ConfigNode> tree = FindMqttJsonProfile("opendtu", dir.path());
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  MqttJsonMapping mapping;
  ASSERT_TRUE(ReadMqttJsonProfile(*tree, &mapping).ok());
  EXPECT_EQ(mapping.topic->text(), "pv/{device}/#");
  EXPECT_EQ(mapping.rules.size(), 1u);
}

TEST(MqttJsonProfiles, UnknownProfileNamesTheBuiltins) {
  Result<ConfigNode> tree = FindMqttJsonProfile("no_such_device", "/nonexistent");
  ASSERT_EQ(tree.status().code(), Status::Code::kNotFound);
  EXPECT_NE(tree.status().message().find("ahoy, opendtu, tasmota_energy"), std::string::npos)
      << tree.status().message();
  EXPECT_EQ(FindMqttJsonProfile("../etc", "").status().code(), Status::Code::kNotFound)
      << "a name with '/' is a path, and there is no such file";
  EXPECT_EQ(FindMqttJsonProfile(".hidden", "").status().code(), Status::Code::kInvalidArgument);
}

TEST(MqttJsonProfiles, ProfileErrorsNameFileLineAndColumn) {
  wattline::testing::TempDir dir;
  Write(dir.File("mine.yaml"),
        "topic: x/{device}/#\nseries:\n  - {topic: a, metric: power_watts}\n"
        "  - {topic: b, metric: \"bad name\"}\n");
  Result<SourceConfig> config = ReadEntry("type: mqtt_json\nprofile: mine\n", dir.path());
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(dir.File("mine.yaml") + ":4:"), std::string::npos)
      << config.status().message();
  EXPECT_NE(config.status().message().find("not a valid metric name"), std::string::npos);
}

TEST(MqttJsonProfiles, UnknownOptionInAProfileIsAnError) {
  wattline::testing::TempDir dir;
  Write(dir.File("mine.yaml"), "description: x\ntopik: a/{device}\nseries: []\n");
  Result<SourceConfig> config = ReadEntry("type: mqtt_json\nprofile: mine\n", dir.path());
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(":2:"), std::string::npos) << config.status().message();
  EXPECT_NE(config.status().message().find("topik"), std::string::npos);
}

TEST(MqttJsonSourceConfig, EntryOverridesTheProfilesTopicAndNeedsMqtt) {
  Result<SourceConfig> config =
      ReadEntry("type: mqtt_json\nprofile: tasmota_energy\ntopic: home/{device}/tele/#\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->needs_mqtt);
  EXPECT_TRUE(config->devices.empty()) << "devices are captured, not known in advance";
}

TEST(MqttJsonSourceConfig, AFixedDeviceIsDeclared) {
  Result<SourceConfig> config = ReadEntry(
      "type: mqtt_json\ntopic: home/heatpump\nlabels: {device: heatpump}\n"
      "series: [{path: w, metric: power_watts}]\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->devices, std::vector<std::string>{"heatpump"});
}

TEST(MqttJsonSourceConfig, RefusesMappingsThatCannotWork) {
  struct Case {
    std::string_view yaml;
    std::string_view message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"type: mqtt_json\nprofile: tasmota_energy\ncolour: red\n", "agent.yaml:3:9: unknown"},
           {"type: mqtt_json\nseries: [{path: a, metric: x}]\n", "missing required option topic"},
           {"type: mqtt_json\ntopic: a/b\n", "no series"},
           {"type: mqtt_json\ntopic: a/b\nseries: [{path: a, metric: x}]\n", "no device label"},
           {"type: mqtt_json\ntopic: a/{device}\nseries: [{topic: x, metric: m}]\n",
            "ending in '#'"},
           {"type: mqtt_json\ntopic: a/{device}\nlabels: {device: x}\nseries: [{metric: m}]\n",
            "both captured"},
           {"type: mqtt_json\ntopic: a/{device}/#\nseries: [{topic: \"{device}\", metric: m}]\n",
            "already captured"},
           {"type: mqtt_json\ntopic: a/{device}\nseries: [{path: \"a..b\", metric: m}]\n",
            "agent.yaml:3:17: series[].path"},
           {"type: mqtt_json\ntopic: a/{device}\nseries: [{metric: m, scale: lots}]\n",
            "expected a number"},
           {"type: mqtt_json\ntopic: a/{device}\nseries: [{metric: m, values: []}]\n",
            "payload text to numbers"},
           {"type: mqtt_json\ntopic: a/{device}\ntimestamp_zone: CET\nseries: [{metric: m}]\n",
            "timestamp_zone"},
           {"type: mqtt_json\ntopic: a/{device}\nseries: [{metric: m, unit: W}]\n",
            "unknown option unit"},
       }) {
    Result<SourceConfig> config = ReadEntry(c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.status().message().find(c.message), std::string::npos)
        << c.yaml << "\n"
        << config.status().message();
  }
}

TEST(MqttJsonSourceConfig, ReferenceIsAValidEntry) {
  Result<SourceConfig> config = ReadEntry(MqttJsonSourceType().reference());
  EXPECT_TRUE(config.ok()) << config.status().ToString();
}

}  // namespace
}  // namespace wattline::agent
