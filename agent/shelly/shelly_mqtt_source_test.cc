// The shelly_gen1_mqtt and shelly_gen2_mqtt sources, built from their config
// entries, on a libuv loop with the agent's MqttClient and a real mosquitto:
// published captures must come out as exactly these series.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "agent/mqtt_json/mqtt_source_test_fixture.h"
#include "agent/shelly/shelly_gen1_mqtt_source.h"
#include "agent/shelly/shelly_gen2_mqtt_source.h"
#include "common/config/config_tree.h"

namespace wattline::agent {
namespace {

// DEVICES.md A.2, verbatim (hikhvar/mqtt2prometheus examples/shelly_3em.yaml).
constexpr std::string_view kGen1Capture = R"(shellies/shellyem3-123456789/emeter/0/power 41.25
shellies/shellyem3-123456789/emeter/0/pf 0.18
shellies/shellyem3-123456789/emeter/0/current 0.99
shellies/shellyem3-123456789/emeter/0/voltage 232.25
shellies/shellyem3-123456789/emeter/0/total 13372.4
shellies/shellyem3-123456789/emeter/0/total_returned 0.0
shellies/shellyem3-123456789/emeter/1/power 275.04
shellies/shellyem3-123456789/emeter/1/pf 0.72
shellies/shellyem3-123456789/emeter/1/current 1.65
shellies/shellyem3-123456789/emeter/1/voltage 232.83
shellies/shellyem3-123456789/emeter/1/total 27948.4
shellies/shellyem3-123456789/emeter/1/total_returned 0.0
shellies/shellyem3-123456789/emeter/2/power -2.23
shellies/shellyem3-123456789/emeter/2/pf -0.02
shellies/shellyem3-123456789/emeter/2/current 0.39
shellies/shellyem3-123456789/emeter/2/voltage 233.14
shellies/shellyem3-123456789/emeter/2/total 4107.8
shellies/shellyem3-123456789/emeter/2/total_returned 186.9
)";

// DEVICES.md B.3, verbatim.
constexpr std::string_view kEmDataStatus =
    R"({ "id": 0, "a_total_act_energy": 64735.49, "a_total_act_ret_energy": 0, "b_total_act_energy": 78798.66, "b_total_act_ret_energy": 0, "c_total_act_energy": 104999.43, "c_total_act_ret_energy": 0, "total_act": 248533.57, "total_act_ret": 0 })";

// DEVICES.md B.5, verbatim: the official NotifyStatus example (a switch
// whose output changed: no metering field in it).
constexpr std::string_view kOfficialNotifyStatus =
    R"({"src":"shellypro4pm-f008d1d8b8b8","dst":"user_1","method":"NotifyStatus","params":{"ts":1631186545.04,"switch:0":{"id":0,"output":true,"source":"button"}}})";

// DEVICES.md B.5, verbatim: a per-minute EMData record as NotifyEvent.
constexpr std::string_view kVerbatimNotifyEvent =
    R"({"src":"shellypro3em-1234567890ab","dst":"aiida/12345678-1234-1234-1234-123456789abc/events","method":"NotifyEvent",
 "params":{"ts":1757059800.65,"events":[{"component":"emdata:0","id":0,"event":"data","ts":1757059740,
 "data":{"ts":1757059740,"period":60,"values":[[0,0,0.0001,0,0,0.0001,0,0,0,0,0,0,0,0.029,0.027,0.028,0,0,0,0,0,0,0,0,0,0,0,0,0,0.028,0.026,0.027,0,0,0.3492,0.3444,0,0.9602,-16.3,-26.5,110.5,104.6,229.898,224.681,227.16,0.486,0.458,0.471,0.028,0.026,0.027]]}}]}})";

constexpr std::string_view kEmStatus = R"({"id":0,
  "a_current":1.234,"a_voltage":229.898,"a_act_power":250.1,"a_aprt_power":283.9,"a_pf":0.88,"a_freq":50.01,
  "b_current":8.765,"b_voltage":231.002,"b_act_power":2010.4,"b_aprt_power":2024.7,"b_pf":0.99,"b_freq":50.02,
  "c_current":4.321,"c_voltage":232.117,"c_act_power":-987.6,"c_aprt_power":1003.0,"c_pf":-0.98,"c_freq":49.98,
  "n_current":0.456,"total_current":14.32,"total_act_power":1272.9,"total_aprt_power":3311.6,
  "user_calibrated_phase":[],"errors":[]})";

class ShellyMqttSourceTest : public testing::MqttSourceTest {
 protected:
  void Build(const SourceType& type, const std::string& yaml) {
    Result<ConfigNode> entry = ParseYamlConfig(yaml, "test.yaml");
    ASSERT_TRUE(entry.ok()) << entry.status().ToString();
    Result<SourceConfig> config = type.read(*entry, SourceConfigContext{});
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    EXPECT_TRUE(config->needs_mqtt);
    SourceEnv env;
    env.loop = &loop_;
    env.clock = &clock_;
    env.sink = Sink();
    env.mqtt = client_.get();
    Result<std::unique_ptr<Source>> source = config->create(env);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    source_ = std::move(*source);
  }

  // Takes what arrived so far, by series; every sample must carry `ts`.
  std::map<std::string, double> Take(int64_t ts) {
    std::map<std::string, double> out;
    for (const Sample& sample : received_) {
      EXPECT_EQ(sample.timestamp_ms, ts) << LabelsToString(sample.labels);
      EXPECT_TRUE(ValidateCanonical(sample.labels).ok());
      out[LabelsToString(sample.labels)] = sample.value;
    }
    received_.clear();
    return out;
  }

  std::string NotifyStatus(std::string_view params) {
    return R"({"src":"shellypro3em-8813bfe14804","dst":"shellypro3em-8813bfe14804/events","method":"NotifyStatus","params":)" +
           std::string(params) + "}";
  }
};

std::string Garage(std::string_view metric, char phase) {
  return std::string(metric) + R"({device="garage",phase=")" + phase + R"("})";
}

TEST_F(ShellyMqttSourceTest, Gen1CaptureBecomesTheGen2SeriesAndOnlineFollowsTheLastWill) {
  // What the broker holds when the agent starts: the last will, and a
  // retained reading of unknown age that must not be shipped.
  Publish("shellies/shellyem3-123456789/online", "true", true);
  Publish("shellies/shellyem3-123456789/emeter/0/power", "999", true);
  Build(ShellyGen1MqttSourceType(),
        "type: shelly_gen1_mqtt\ndevice: garage\nid: shellyem3-123456789\n");
  StartAndSync();
  const int64_t now = clock_.NowUnixMs();
  EXPECT_EQ(Take(now), (std::map<std::string, double>{{R"(device_online{device="garage"})", 1}}));

  std::istringstream lines{std::string(kGen1Capture)};
  std::string line;
  while (std::getline(lines, line)) {
    const size_t space = line.find(' ');
    Publish(line.substr(0, space), line.substr(space + 1));
  }
  // The volatile Watt-minute counters are not shipped; another device's
  // topics are not read.
  Publish("shellies/shellyem3-123456789/emeter/0/energy", "802281");
  Publish("shellies/shellyem3-123456789/emeter/0/returned_energy", "0");
  Publish("shellies/shellyem3-987654321/emeter/0/power", "5");
  Sync();
  const std::map<std::string, double> expected = {
      {Garage("power_watts", 'a'), 41.25},
      {Garage("power_factor", 'a'), 0.18},
      {Garage("current_amperes", 'a'), 0.99},
      {Garage("voltage_volts", 'a'), 232.25},
      {Garage("energy_imported_watt_hours_total", 'a'), 13372.4},
      {Garage("energy_exported_watt_hours_total", 'a'), 0.0},
      {Garage("power_watts", 'b'), 275.04},
      {Garage("power_factor", 'b'), 0.72},
      {Garage("current_amperes", 'b'), 1.65},
      {Garage("voltage_volts", 'b'), 232.83},
      {Garage("energy_imported_watt_hours_total", 'b'), 27948.4},
      {Garage("energy_exported_watt_hours_total", 'b'), 0.0},
      {Garage("power_watts", 'c'), -2.23},
      {Garage("power_factor", 'c'), -0.02},
      {Garage("current_amperes", 'c'), 0.39},
      {Garage("voltage_volts", 'c'), 233.14},
      {Garage("energy_imported_watt_hours_total", 'c'), 4107.8},
      {Garage("energy_exported_watt_hours_total", 'c'), 186.9},
  };
  EXPECT_EQ(received_.size(), expected.size());
  EXPECT_EQ(Take(now), expected);

  // Garbage is counted, never shipped.
  Publish("shellies/shellyem3-123456789/emeter/1/power", "n/a");
  Publish("shellies/shellyem3-123456789/emeter/5/power", "12");
  Publish("shellies/shellyem3-123456789/online", "maybe");
  Sync();
  EXPECT_TRUE(received_.empty());
  const DeviceHealth* health = Health("garage");
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->errors, 3u);
  EXPECT_EQ(health->errors_by_reason.at("malformed"), 3u);
  EXPECT_EQ(health->samples, 18u);
  EXPECT_EQ(health->polls, 1u + 18u + 2u + 3u);
  EXPECT_EQ(health->last_success_unix_ms, now);

  // The broker publishes the last will when the device drops off.
  clock_.AdvanceMs(1000);
  Publish("shellies/shellyem3-123456789/online", "false", true);
  Sync();
  EXPECT_EQ(Take(now + 1000),
            (std::map<std::string, double>{{R"(device_online{device="garage"})", 0}}));
}

TEST_F(ShellyMqttSourceTest, Gen1RepeatsTheKnownOnlineStateAndStopsAfterStop) {
  Build(ShellyGen1MqttSourceType(),
        "type: shelly_gen1_mqtt\ndevice: garage\nid: shellyem3-123456789\n"
        "availability_interval: 1s\n");
  StartAndSync();
  EXPECT_TRUE(received_.empty()) << "nothing known yet";
  Publish("shellies/shellyem3-123456789/online", "true");
  Sync();
  ASSERT_EQ(received_.size(), 1u);
  // The timer repeats it without a new message.
  EXPECT_TRUE(RunUntil([&] { return received_.size() >= 3; }, 5000));
  for (const Sample& sample : received_) EXPECT_EQ(sample.value, 1);
  source_->Stop();
  received_.clear();
  Publish("shellies/shellyem3-123456789/emeter/0/power", "1");
  Sync();
  RunUntil([] { return false; }, 1500);
  EXPECT_TRUE(received_.empty());
}

std::string Workshop(std::string_view metric, std::string_view phase) {
  return std::string(metric) + R"({device="workshop",phase=")" + std::string(phase) + R"("})";
}

TEST_F(ShellyMqttSourceTest, Gen2MergesPartialNotifyStatusOverTheKnownStatus) {
  // The agent's clock agrees with the device's (params.ts below).
  clock_.SetUnixMs(1'757'059'801'000);
  Build(ShellyGen2MqttSourceType(),
        "type: shelly_gen2_mqtt\ndevice: workshop\ntopic_prefix: shellypro3em-8813bfe14804\n");
  StartAndSync();
  const std::string prefix = "shellypro3em-8813bfe14804/";

  // A partial update before anything is known: only what it carries.
  Publish(prefix + "events/rpc",
          NotifyStatus(R"({"ts":1757059800.25,"em:0":{"id":0,"a_act_power":120.5,"a_voltage":230.1}})"));
  Sync();
  EXPECT_EQ(Take(1'757'059'800'250), (std::map<std::string, double>{
                                         {Workshop("power_watts", "a"), 120.5},
                                         {Workshop("voltage_volts", "a"), 230.1},
                                     }));

  // A full status (status_ntf), stamped on arrival.
  Publish(prefix + "status/em:0", kEmStatus);
  Sync();
  EXPECT_EQ(Take(clock_.NowUnixMs()).size(), 22u);

  // Changed keys over the known status; null removes n_current.
  Publish(prefix + "events/rpc",
          NotifyStatus(R"({"ts":1757059802.5,"em:0":{"id":0,"b_act_power":15.0,"n_current":null}})"));
  Sync();
  std::map<std::string, double> merged = Take(1'757'059'802'500);
  EXPECT_EQ(merged.size(), 21u);
  EXPECT_EQ(merged.at(Workshop("power_watts", "b")), 15.0);
  EXPECT_EQ(merged.at(Workshop("power_watts", "a")), 250.1);  // from status/em:0
  EXPECT_EQ(merged.count(Workshop("current_amperes", "n")), 0u);

  // emdata every full minute; the official switch example and a NotifyEvent
  // carry nothing to ship; other components are ignored.
  Publish(prefix + "events/rpc",
          NotifyStatus(R"({"ts":1757059860.0,"emdata:0":)" + std::string(kEmDataStatus) + "}"));
  Publish(prefix + "events/rpc", kOfficialNotifyStatus);
  Publish(prefix + "events/rpc", kVerbatimNotifyEvent);
  Publish(prefix + "status/sys", R"({"uptime":5})");
  Sync();
  EXPECT_EQ(Take(1'757'059'860'000), (std::map<std::string, double>{
                                         {Workshop("energy_imported_watt_hours_total", "a"), 64735.49},
                                         {Workshop("energy_imported_watt_hours_total", "b"), 78798.66},
                                         {Workshop("energy_imported_watt_hours_total", "c"), 104999.43},
                                         {Workshop("energy_imported_watt_hours_total", "total"), 248533.57},
                                         {Workshop("energy_exported_watt_hours_total", "a"), 0},
                                         {Workshop("energy_exported_watt_hours_total", "b"), 0},
                                         {Workshop("energy_exported_watt_hours_total", "c"), 0},
                                         {Workshop("energy_exported_watt_hours_total", "total"), 0},
                                     }));

  // Garbage is counted as malformed, a meter failure as a device error.
  Publish(prefix + "events/rpc", "not json");
  Publish(prefix + "status/em:0", R"({"id":0,"a_act_power":"lots"})");
  Publish(prefix + "events/rpc",
          NotifyStatus(R"({"ts":1757059900,"em:0":{"errors":["power_meter_failure"]}})"));
  Sync();
  EXPECT_TRUE(received_.empty());
  const DeviceHealth* health = Health("workshop");
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->errors_by_reason.at("malformed"), 2u);
  EXPECT_EQ(health->errors_by_reason.at("device"), 1u);
  EXPECT_EQ(health->polls, 10u);

  // Offline: device_online 0, and what was known is forgotten.
  Publish(prefix + "online", "false");
  Sync();
  EXPECT_EQ(Take(clock_.NowUnixMs()),
            (std::map<std::string, double>{{R"(device_online{device="workshop"})", 0}}));
  Publish(prefix + "events/rpc",
          NotifyStatus(R"({"ts":1757059960,"em:0":{"errors":[],"c_pf":0.5}})"));
  Sync();
  EXPECT_EQ(Take(1'757'059'960'000),
            (std::map<std::string, double>{{Workshop("power_factor", "c"), 0.5}}));
}

TEST_F(ShellyMqttSourceTest, ConfigRefusesBadTopicsAndAPasswordWithoutUrl) {
  for (const std::string yaml :
       {"type: shelly_gen1_mqtt\ndevice: g\nid: a/b\n", "type: shelly_gen1_mqtt\ndevice: g\nid: \"+\"\n",
        "type: shelly_gen1_mqtt\ndevice: \"\"\nid: x\n",
        "type: shelly_gen2_mqtt\ndevice: w\ntopic_prefix: p/#\n",
        "type: shelly_gen2_mqtt\ndevice: w\ntopic_prefix: p/\n",
        "type: shelly_gen2_mqtt\ndevice: w\ntopic_prefix: p\npassword: x\n",
        "type: shelly_gen2_mqtt\ndevice: w\ntopic_prefix: p\nurl: ftp://x\n",
        "type: shelly_gen2_mqtt\ndevice: w\ntopic_prefix: p\navailability_interval: 10ms\n"}) {
    Result<ConfigNode> entry = ParseYamlConfig(yaml, "test.yaml");
    ASSERT_TRUE(entry.ok());
    const SourceType& type = yaml.find("gen1") != std::string::npos ? ShellyGen1MqttSourceType()
                                                                      : ShellyGen2MqttSourceType();
    Result<SourceConfig> config = type.read(*entry, SourceConfigContext{});
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_NE(config.status().message().find("test.yaml:"), std::string::npos);
  }
  // A custom prefix with levels is fine, and so is a url for the backfill.
  Result<ConfigNode> entry = ParseYamlConfig(
      "type: shelly_gen2_mqtt\ndevice: w\ntopic_prefix: home/meters/pro3em\nurl: http://10.0.0.5\n",
      "test.yaml");
  ASSERT_TRUE(entry.ok());
  EXPECT_TRUE(ShellyGen2MqttSourceType().read(*entry, SourceConfigContext{}).ok());
}

}  // namespace
}  // namespace wattline::agent
