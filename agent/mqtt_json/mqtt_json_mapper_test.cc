#include "agent/mqtt_json/mqtt_json_mapper.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "agent/mqtt_json/mqtt_json_test_util.h"

namespace wattline::agent {
namespace {

using testing::ByName;
using testing::ReadMapping;

constexpr int64_t kNow = 1'700'000'000'000;

// A Tasmota plug's tele/<topic>/SENSOR message, verbatim as published in
// https://blog.mylocalbytes.com/kb/2022-01-10/LB-PM-Power-Monitoring (topic
// livingroom-lamp).
constexpr std::string_view kTasmotaSensor = R"({
"Time": "2022-01-11T21:57:38",
"ENERGY": {
"TotalStartTime": "2020-10-21T22:15:00",
"Total": 3.705,
"Yesterday": 0.028,
"Today": 0.026,
"Period": 1,
"Power": 5,
"ApparentPower": 5,
"ReactivePower": 0,
"Factor": 1.00,
"Voltage": 233,
"Current": 0.021
}
})";

// 2022-01-11T21:57:38 at +01:00.
constexpr int64_t kTasmotaTimeMs = 1'641'934'658'000;

MqttJsonMapper Mapper(std::string_view profile, std::string_view yaml = "") {
  Result<MqttJsonMapping> mapping = ReadMapping(profile, yaml);
  EXPECT_TRUE(mapping.ok()) << mapping.status().ToString();
  return MqttJsonMapper(mapping.ok() ? std::move(*mapping) : MqttJsonMapping{});
}

TEST(MqttJsonMapper, TasmotaSensorGivesEveryEnergySeriesAtTheDevicesTime) {
  MqttJsonMapper mapper = Mapper("tasmota_energy", "timestamp_zone: \"+01:00\"\n");
  Samples samples;
  MqttJsonOutcome outcome = mapper.Map("tele/livingroom-lamp/SENSOR", kTasmotaSensor, false,
                                       kTasmotaTimeMs + 1500, &samples);
  ASSERT_TRUE(outcome.matched);
  EXPECT_TRUE(outcome.error.ok()) << outcome.error.ToString();
  EXPECT_EQ(outcome.device, "livingroom-lamp");
  EXPECT_TRUE(outcome.time_note.empty()) << outcome.time_note;
  const std::map<std::string, double> expected = {
      {R"(power_watts{device="livingroom-lamp"})", 5},
      {R"(voltage_volts{device="livingroom-lamp"})", 233},
      {R"(current_amperes{device="livingroom-lamp"})", 0.021},
      {R"(apparent_power_volt_amperes{device="livingroom-lamp"})", 5},
      {R"(reactive_power_volt_amperes_reactive{device="livingroom-lamp"})", 0},
      {R"(power_factor{device="livingroom-lamp"})", 1.0},
      {R"(energy_imported_watt_hours_total{device="livingroom-lamp"})", 3.705 * 1000},
      {R"(energy_imported_today_watt_hours{device="livingroom-lamp"})", 0.026 * 1000},
      {R"(energy_imported_yesterday_watt_hours{device="livingroom-lamp"})", 0.028 * 1000},
  };
  EXPECT_EQ(ByName(samples), expected);
  EXPECT_EQ(outcome.samples, expected.size());
  for (const Sample& sample : samples) EXPECT_EQ(sample.timestamp_ms, kTasmotaTimeMs);
}

TEST(MqttJsonMapper, DeviceTimeFarFromArrivalIsIgnoredWithANote) {
  MqttJsonMapper mapper = Mapper("tasmota_energy", "timestamp_zone: utc\n");
  Samples samples;
  // A Tasmota that has not reached its NTP server yet.
  MqttJsonOutcome outcome =
      mapper.Map("tele/plug/SENSOR", R"({"Time":"1970-01-01T00:05:12","ENERGY":{"Power":12}})",
                 false, kNow, &samples);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].timestamp_ms, kNow);
  EXPECT_NE(outcome.time_note.find("from the arrival time"), std::string::npos)
      << outcome.time_note;
}

TEST(MqttJsonMapper, TasmotaLastWillGivesDeviceOnlineEvenWhenRetained) {
  MqttJsonMapper mapper = Mapper("tasmota_energy");
  Samples samples;
  EXPECT_TRUE(mapper.Map("tele/plug/LWT", "Online", /*retained=*/true, kNow, &samples).matched);
  EXPECT_TRUE(mapper.Map("tele/plug/LWT", "Offline", /*retained=*/false, kNow, &samples).matched);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(LabelsToString(samples[0].labels), R"(device_online{device="plug"})");
  EXPECT_EQ(samples[0].value, 1);
  EXPECT_EQ(samples[1].value, 0);
  EXPECT_EQ(samples[1].timestamp_ms, kNow);
}

TEST(MqttJsonMapper, RetainedReadingsAreSkipped) {
  MqttJsonMapper mapper = Mapper("tasmota_energy");
  Samples samples;
  MqttJsonOutcome outcome =
      mapper.Map("tele/plug/SENSOR", kTasmotaSensor, /*retained=*/true, kNow, &samples);
  EXPECT_FALSE(outcome.matched);
  EXPECT_TRUE(samples.empty());
}

TEST(MqttJsonMapper, TopicsNoSeriesWantsAreNotMatched) {
  MqttJsonMapper mapper = Mapper("tasmota_energy");
  Samples samples;
  EXPECT_FALSE(mapper.Map("tele/plug/STATE", R"({"POWER":"ON"})", false, kNow, &samples).matched);
  EXPECT_FALSE(mapper.Map("stat/plug/POWER", "ON", false, kNow, &samples).matched);
  EXPECT_TRUE(samples.empty());
}

TEST(MqttJsonMapper, MalformedPayloadIsAnErrorWithoutSamples) {
  MqttJsonMapper mapper = Mapper("tasmota_energy");
  Samples samples;
  MqttJsonOutcome outcome = mapper.Map("tele/plug/SENSOR", "{\"ENERGY\":", false, kNow, &samples);
  EXPECT_TRUE(outcome.matched);
  EXPECT_EQ(outcome.device, "plug");
  EXPECT_EQ(outcome.error.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(outcome.error.message().find("not JSON"), std::string::npos);
  EXPECT_TRUE(samples.empty());
}

TEST(MqttJsonMapper, AValueOfTheWrongKindFailsOnlyItsSeries) {
  MqttJsonMapper mapper = Mapper("tasmota_energy");
  Samples samples;
  // A two-channel device: Power is an array, which the profile's series
  // cannot read; Voltage still comes through.
  MqttJsonOutcome outcome =
      mapper.Map("tele/plug/SENSOR", R"({"ENERGY":{"Power":[5,0],"Voltage":231,"Current":null}})",
                 false, kNow, &samples);
  EXPECT_NE(outcome.error.message().find("ENERGY.Power"), std::string::npos)
      << outcome.error.ToString();
  EXPECT_EQ(ByName(samples),
            (std::map<std::string, double>{{R"(voltage_volts{device="plug"})", 231}}));
}

TEST(MqttJsonMapper, OversizedPayloadIsRefusedBeforeParsing) {
  MqttJsonMapper mapper = Mapper("tasmota_energy");
  Samples samples;
  std::string big =
      R"({"ENERGY":{"Power":5},"pad":")" + std::string(kMaxMqttJsonPayloadBytes, 'x') + "\"}";
  MqttJsonOutcome outcome = mapper.Map("tele/plug/SENSOR", big, false, kNow, &samples);
  EXPECT_TRUE(outcome.matched);
  EXPECT_NE(outcome.error.message().find("over the limit"), std::string::npos);
  EXPECT_TRUE(samples.empty());
}

TEST(MqttJsonMapper, OpenDtuSeparatesAcFromDcInputs) {
  MqttJsonMapper mapper = Mapper("opendtu");
  Samples samples;
  const std::string base = "solar/116181234567/";
  for (auto [topic, payload] : std::initializer_list<std::pair<std::string, std::string>>{
           {"0/power", "123.4"},
           {"0/voltage", "231.2"},
           {"0/yieldtotal", "465.294"},
           {"0/yieldday", "51"},
           {"0/powerdc", "130.1"},
           {"0/efficiency", "94.85"},
           {"2/power", "61.5"},
           {"2/yieldtotal", "110.819"},
           {"name", "roof"},
       }) {
    mapper.Map(base + topic, payload, false, kNow, &samples);
  }
  // Retained state is taken, retained readings are not.
  mapper.Map(base + "status/reachable", "1", /*retained=*/true, kNow, &samples);
  mapper.Map(base + "0/current", "0.53", /*retained=*/true, kNow, &samples);
  const std::string d = R"(device="116181234567")";
  const std::map<std::string, double> expected = {
      {"power_watts{" + d + "}", 123.4},
      {"voltage_volts{" + d + "}", 231.2},
      {"energy_exported_watt_hours_total{" + d + "}", 465.294 * 1000},
      {"dc_power_watts{" + d + R"(,input="total"})", 130.1},
      {"efficiency_ratio{" + d + "}", 94.85 * 0.01},
      {"dc_power_watts{" + d + R"(,input="2"})", 61.5},
      {"dc_energy_watt_hours_total{" + d + R"(,input="2"})", 110.819 * 1000},
      {"device_online{" + d + "}", 1},
  };
  EXPECT_EQ(ByName(samples), expected);
}

TEST(MqttJsonMapper, AhoyChannelsAndAvailability) {
  MqttJsonMapper mapper = Mapper("ahoy");
  Samples samples;
  // Values from AhoyDTU's User_Manual.md.
  mapper.Map("inverter/roof/ch0/P_AC", "71.000", false, kNow, &samples);
  mapper.Map("inverter/roof/ch0/U_AC", "233.300", false, kNow, &samples);
  mapper.Map("inverter/roof/ch0/YieldTotal", "465.294", false, kNow, &samples);
  mapper.Map("inverter/roof/ch0/P_DC", "74.600", false, kNow, &samples);
  mapper.Map("inverter/roof/ch1/P_DC", "25.000", false, kNow, &samples);
  mapper.Map("inverter/roof/ch1/YieldTotal", "110.819", false, kNow, &samples);
  mapper.Map("inverter/roof/available", "2", true, kNow, &samples);
  EXPECT_FALSE(mapper.Map("inverter/total/P_AC", "71.000", false, kNow, &samples).matched);
  EXPECT_FALSE(mapper.Map("inverter/uptime", "73630", false, kNow, &samples).matched);
  const std::map<std::string, double> expected = {
      {R"(power_watts{device="roof"})", 71},
      {R"(voltage_volts{device="roof"})", 233.3},
      {R"(energy_exported_watt_hours_total{device="roof"})", 465.294 * 1000},
      {R"(dc_power_watts{device="roof",input="total"})", 74.6},
      {R"(dc_power_watts{device="roof",input="1"})", 25},
      {R"(dc_energy_watt_hours_total{device="roof",input="1"})", 110.819 * 1000},
      {R"(device_online{device="roof"})", 1},
  };
  EXPECT_EQ(ByName(samples), expected);

  Samples more;
  MqttJsonOutcome outcome = mapper.Map("inverter/roof/available", "7", true, kNow, &more);
  EXPECT_NE(outcome.error.message().find("not one of its values"), std::string::npos);
  EXPECT_TRUE(more.empty());
}

TEST(MqttJsonMapper, InlineSeriesWithFixedLabelsAndJsonValues) {
  MqttJsonMapper mapper = Mapper("", R"(
topic: home/heatpump/state
labels: {device: heatpump, site: cellar}
series:
  - {path: "data[0].w", metric: power_watts}
  - {path: "data[0].kwh", metric: energy_imported_watt_hours_total, scale: 1000}
  - {path: running, metric: compressor_running}
  - {path: flow, metric: flow_temperature_celsius, labels: {site: outside}}
  - {path: missing, metric: never_there}
)");
  Samples samples;
  MqttJsonOutcome outcome = mapper.Map(
      "home/heatpump/state",
      R"({"data":[{"w":"1520.5","kwh":12.5}],"running":true,"flow":null,"missing":null})", false,
      kNow, &samples);
  EXPECT_TRUE(outcome.error.ok()) << outcome.error.ToString();
  const std::map<std::string, double> expected = {
      {R"(power_watts{device="heatpump",site="cellar"})", 1520.5},
      {R"(energy_imported_watt_hours_total{device="heatpump",site="cellar"})", 12500},
      {R"(compressor_running{device="heatpump",site="cellar"})", 1},
  };
  EXPECT_EQ(ByName(samples), expected);
  samples.clear();
  mapper.Map("home/heatpump/state", R"({"flow":35.5})", false, kNow, &samples);
  EXPECT_EQ(ByName(samples),
            (std::map<std::string, double>{
                {R"(flow_temperature_celsius{device="heatpump",site="outside"})", 35.5}}))
      << "a series' own label replaces the fixed one";
}

TEST(MqttJsonMapper, UnixSecondsTimestamp) {
  MqttJsonMapper mapper = Mapper("", R"(
topic: "meter/{device}"
timestamp_path: ts
series: [{path: p, metric: power_watts}]
)");
  Samples samples;
  mapper.Map("meter/a", R"({"ts":1699999999.25,"p":1})", false, kNow, &samples);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].timestamp_ms, 1'699'999'999'250);
}

TEST(MqttJsonMapper, EmptyPayloadIsNoReadingAndNoError) {
  MqttJsonMapper mapper = Mapper("opendtu");
  Samples samples;
  MqttJsonOutcome outcome = mapper.Map("solar/1/0/power", "", false, kNow, &samples);
  EXPECT_TRUE(outcome.matched);
  EXPECT_TRUE(outcome.error.ok());
  EXPECT_TRUE(samples.empty());
}

// The fuzz target's seeds, through every built-in profile: the invariants
// the fuzz target checks, on every build.
TEST(MqttJsonMapper, FuzzSeedsKeepTheInvariants) {
  std::vector<MqttJsonMapper> mappers;
  for (const MqttJsonProfileText& text : BuiltinMqttJsonProfileTexts()) {
    mappers.push_back(Mapper(text.name));
  }
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(WATTLINE_MQTT_JSON_FUZZ_CORPUS)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    std::string input = contents.str();
    const bool retained = !input.empty() && input.front() == '!';
    if (retained) input.erase(0, 1);
    const size_t newline = input.find('\n');
    ASSERT_NE(newline, std::string::npos) << entry.path();
    for (const MqttJsonMapper& mapper : mappers) {
      Samples samples;
      MqttJsonOutcome outcome =
          mapper.Map(input.substr(0, newline), input.substr(newline + 1), retained, kNow, &samples);
      EXPECT_EQ(samples.size(), outcome.samples) << entry.path();
      for (const Sample& sample : samples) {
        EXPECT_TRUE(ValidateCanonical(sample.labels).ok()) << entry.path();
        EXPECT_TRUE(std::isfinite(sample.value)) << entry.path();
      }
    }
    ++seeds;
  }
  EXPECT_GE(seeds, 8);
}

}  // namespace
}  // namespace wattline::agent
