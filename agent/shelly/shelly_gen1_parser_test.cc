#include "agent/shelly/shelly_gen1_parser.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace wattline::agent {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

// DEVICES.md A.1, verbatim: /status of a real 3EM, fw v1.9.0.
constexpr std::string_view kVerbatim3emStatus = R"({
  "actions_stats": {
    "skipped": 0
  },
  "cfg_changed_cnt": 0,
  "cloud": {
    "connected": true,
    "enabled": true
  },
  "emeters": [
    {
      "current": 0.44,
      "is_valid": true,
      "pf": 0.07,
      "power": 6.62,
      "total": 18407.1,
      "total_returned": 0.1,
      "voltage": 229.6
    },
    {
      "current": 1.89,
      "is_valid": true,
      "pf": 0.89,
      "power": 385.9,
      "total": 48174,
      "total_returned": 0,
      "voltage": 229.99
    },
    {
      "current": 0.31,
      "is_valid": true,
      "pf": 0.33,
      "power": 22.1,
      "total": 6864.5,
      "total_returned": 0,
      "voltage": 217.67
    }
  ],
  "fs_free": 151102,
  "fs_mounted": true,
  "fs_size": 233681,
  "has_update": false,
  "mac": "XXXXXX",
  "mqtt": {
    "connected": false
  },
  "ram_free": 31056,
  "ram_total": 49296,
  "relays": [
    {
      "has_timer": false,
      "is_valid": true,
      "ison": false,
      "overpower": false,
      "source": "input",
      "timer_duration": 0,
      "timer_remaining": 0,
      "timer_started": 0
    }
  ],
  "serial": 31415,
  "time": "13:16",
  "unixtime": 1608297419,
  "update": {
    "beta_version": "20201202-142834/v1.9.3-rc3@50c6ab57",
    "has_update": false,
    "new_version": "20201124-092854/v1.9.0@57ac4ad8",
    "old_version": "20201124-092854/v1.9.0@57ac4ad8",
    "status": "idle"
  },
  "uptime": 245848,
  "wifi_sta": {
    "connected": true,
    "ip": "192.168.20.110",
    "rssi": -50,
    "ssid": "XXXXXX"
  }
})";

// A Shelly EM (two channels) in the shape DEVICES.md A.1 describes: reactive
// power, pf on newer firmware; channel 0 exports.
constexpr std::string_view kEmStatus = R"({"relays":[{"ison":false}],
  "emeters":[{"power":-620.34,"reactive":714.48,"pf":-0.66,"voltage":235.68,"is_valid":true,
              "total":401472.9,"total_returned":653673.7},
             {"power":0.00,"reactive":0.00,"pf":0.00,"voltage":235.68,"is_valid":true,
              "total":173411.3,"total_returned":294.2}],
  "uptime":2226140})";

std::map<std::string, double> ByName(const Samples& samples) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) out[LabelsToString(sample.labels)] = sample.value;
  return out;
}

Sample Sentinel() {
  Sample sample;
  sample.labels = {{"__name__", "sentinel"}};
  return sample;
}

TEST(ShellyGen1Parser, ParsesVerbatim3emStatusIntoPhases) {
  Samples samples;
  std::vector<std::string> invalid;
  ASSERT_TRUE(ParseGen1Status(kVerbatim3emStatus, "panel_gen1", kNow, &samples, &invalid).ok());
  const std::map<std::string, double> expected = {
      {R"(current_amperes{device="panel_gen1",phase="a"})", 0.44},
      {R"(power_factor{device="panel_gen1",phase="a"})", 0.07},
      {R"(power_watts{device="panel_gen1",phase="a"})", 6.62},
      {R"(energy_imported_watt_hours_total{device="panel_gen1",phase="a"})", 18407.1},
      {R"(energy_exported_watt_hours_total{device="panel_gen1",phase="a"})", 0.1},
      {R"(voltage_volts{device="panel_gen1",phase="a"})", 229.6},
      {R"(current_amperes{device="panel_gen1",phase="b"})", 1.89},
      {R"(power_factor{device="panel_gen1",phase="b"})", 0.89},
      {R"(power_watts{device="panel_gen1",phase="b"})", 385.9},
      {R"(energy_imported_watt_hours_total{device="panel_gen1",phase="b"})", 48174.0},
      {R"(energy_exported_watt_hours_total{device="panel_gen1",phase="b"})", 0.0},
      {R"(voltage_volts{device="panel_gen1",phase="b"})", 229.99},
      {R"(current_amperes{device="panel_gen1",phase="c"})", 0.31},
      {R"(power_factor{device="panel_gen1",phase="c"})", 0.33},
      {R"(power_watts{device="panel_gen1",phase="c"})", 22.1},
      {R"(energy_imported_watt_hours_total{device="panel_gen1",phase="c"})", 6864.5},
      {R"(energy_exported_watt_hours_total{device="panel_gen1",phase="c"})", 0.0},
      {R"(voltage_volts{device="panel_gen1",phase="c"})", 217.67},
  };
  EXPECT_EQ(samples.size(), expected.size());
  EXPECT_EQ(ByName(samples), expected);
  EXPECT_TRUE(invalid.empty());
  for (const Sample& sample : samples) {
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok()) << LabelsToString(sample.labels);
    EXPECT_EQ(sample.labels.size(), 3u);
    EXPECT_EQ(sample.timestamp_ms, kNow);
  }
}

TEST(ShellyGen1Parser, ParsesShellyEmIntoChannelsWithReactivePowerAndExport) {
  Samples samples;
  std::vector<std::string> invalid;
  ASSERT_TRUE(ParseGen1Status(kEmStatus, "grid", kNow, &samples, &invalid).ok());
  const std::map<std::string, double> expected = {
      {R"(power_watts{channel="0",device="grid"})", -620.34},
      {R"(reactive_power_volt_amperes_reactive{channel="0",device="grid"})", 714.48},
      {R"(power_factor{channel="0",device="grid"})", -0.66},
      {R"(voltage_volts{channel="0",device="grid"})", 235.68},
      {R"(energy_imported_watt_hours_total{channel="0",device="grid"})", 401472.9},
      {R"(energy_exported_watt_hours_total{channel="0",device="grid"})", 653673.7},
      {R"(power_watts{channel="1",device="grid"})", 0.0},
      {R"(reactive_power_volt_amperes_reactive{channel="1",device="grid"})", 0.0},
      {R"(power_factor{channel="1",device="grid"})", 0.0},
      {R"(voltage_volts{channel="1",device="grid"})", 235.68},
      {R"(energy_imported_watt_hours_total{channel="1",device="grid"})", 173411.3},
      {R"(energy_exported_watt_hours_total{channel="1",device="grid"})", 294.2},
  };
  EXPECT_EQ(ByName(samples), expected);
  EXPECT_EQ(samples.size(), expected.size());
}

TEST(ShellyGen1Parser, NewerFirmwareTotalPowerBecomesPhaseTotal) {
  constexpr std::string_view kJson = R"({"emeters":[
      {"power":51.08,"pf":0.27,"current":0.78,"voltage":234.90,"is_valid":true,"total":1686297.2,"total_returned":428958.4},
      {"power":155.02,"pf":0.98,"current":0.66,"voltage":235.57,"is_valid":true,"total":878905.6,"total_returned":4.1},
      {"power":-6.75,"pf":-0.26,"current":0.11,"voltage":234.70,"is_valid":true,"total":206151.1,"total_returned":0.0}],
    "total_power":199.35,"emeter_n":{"current":0.00,"ixsum":1.29,"mismatch":false,"is_valid":false}})";
  Samples samples;
  std::vector<std::string> invalid;
  ASSERT_TRUE(ParseGen1Status(kJson, "p", kNow, &samples, &invalid).ok());
  std::map<std::string, double> by_name = ByName(samples);
  EXPECT_EQ(samples.size(), 19u);
  EXPECT_EQ(by_name[R"(power_watts{device="p",phase="total"})"], 199.35);
  EXPECT_EQ(by_name[R"(power_watts{device="p",phase="c"})"], -6.75);
  EXPECT_EQ(by_name[R"(power_factor{device="p",phase="c"})"], -0.26);
  // emeter_n is not shipped; its is_valid false is not a fault of a meter.
  EXPECT_EQ(by_name.count(R"(current_amperes{device="p",phase="n"})"), 0u);
  EXPECT_TRUE(invalid.empty());
}

TEST(ShellyGen1Parser, InvalidEmeterIsNamedAndLeftOutWithTheTotal) {
  constexpr std::string_view kJson = R"({"emeters":[
      {"power":10.5,"voltage":230.1,"is_valid":true,"total":100.0},
      {"power":99999.0,"voltage":0.0,"is_valid":false,"total":200.0},
      {"power":30.5,"voltage":229.9,"is_valid":true,"total":300.0}],"total_power":100040.0})";
  Samples samples = {Sentinel()};
  std::vector<std::string> invalid;
  ASSERT_TRUE(ParseGen1Status(kJson, "p", kNow, &samples, &invalid).ok());
  EXPECT_EQ(invalid, std::vector<std::string>{"emeters[1]"});
  ASSERT_EQ(samples.size(), 1u + 6u);
  EXPECT_EQ(MetricName(samples[0].labels), "sentinel");
  for (const Sample& sample : samples) {
    EXPECT_NE(LabelValue(sample.labels, "phase"), "b") << LabelsToString(sample.labels);
    EXPECT_NE(LabelValue(sample.labels, "phase"), "total") << LabelsToString(sample.labels);
  }
}

TEST(ShellyGen1Parser, NullAndAbsentFieldsProduceNoSample) {
  // An older Shelly EM: no pf, no current; a null voltage.
  constexpr std::string_view kJson =
      R"({"emeters":[{"power":12.0,"reactive":3.0,"voltage":null,"total":1.5},{"power":0.0}]})";
  Samples samples;
  std::vector<std::string> invalid;
  ASSERT_TRUE(ParseGen1Status(kJson, "em", kNow, &samples, &invalid).ok());
  const std::map<std::string, double> expected = {
      {R"(power_watts{channel="0",device="em"})", 12.0},
      {R"(reactive_power_volt_amperes_reactive{channel="0",device="em"})", 3.0},
      {R"(energy_imported_watt_hours_total{channel="0",device="em"})", 1.5},
      {R"(power_watts{channel="1",device="em"})", 0.0},
  };
  EXPECT_EQ(ByName(samples), expected);
}

TEST(ShellyGen1Parser, RefusesDocumentsWithoutEmetersAndAppendsNothing) {
  for (std::string_view json :
       {"", "not json", "[]", "null", R"({"relays":[]})", R"({"emeters":{}})", R"({"emeters":[]})",
        R"({"emeters":"none"})", "401 Unauthorized"}) {
    Samples samples = {Sentinel()};
    std::vector<std::string> invalid;
    Status status = ParseGen1Status(json, "p", kNow, &samples, &invalid);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << json;
    EXPECT_EQ(samples.size(), 1u) << json;
    EXPECT_TRUE(invalid.empty()) << json;
  }
}

TEST(ShellyGen1Parser, RefusesWrongTypesNamingTheEmeterAndField) {
  struct Case {
    std::string_view json;
    std::string_view named;
  };
  for (const Case& c : {
           Case{R"({"emeters":[{"power":1.0},{"power":"2.0"}]})", R"(emeters[1]: field "power")"},
           Case{R"({"emeters":[{"power":1.0},7]})", "emeters[1]: expected an object"},
           Case{R"({"emeters":[{"power":1.0,"is_valid":"yes"}]})",
                R"(emeters[0]: field "is_valid")"},
           Case{R"({"emeters":[{"total":[1]}]})", R"(emeters[0]: field "total")"},
           Case{R"({"emeters":[{"power":1},{"power":1},{"power":1}],"total_power":"3"})",
                R"(field "total_power")"},
       }) {
    Samples samples = {Sentinel()};
    std::vector<std::string> invalid;
    // An invalid emeter before the bad one must not leak into `invalid`.
    Status status = ParseGen1Status(c.json, "p", kNow, &samples, &invalid);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << c.json;
    EXPECT_NE(status.message().find(c.named), std::string::npos) << status.ToString();
    EXPECT_EQ(samples.size(), 1u) << c.json;
  }
  Samples samples;
  std::vector<std::string> invalid;
  EXPECT_FALSE(ParseGen1Status(R"({"emeters":[{"is_valid":false},{"power":"x"}]})", "p", kNow,
                               &samples, &invalid)
                   .ok());
  EXPECT_TRUE(invalid.empty());
}

TEST(ShellyGen1Parser, RefusesOversizeDocumentAndEmptyDevice) {
  std::string json = R"({"emeters":[{"power":1.0}],"pad":")";
  json += std::string(kMaxShellyGen1DocumentBytes, 'x') + "\"}";
  Samples samples;
  std::vector<std::string> invalid;
  Status status = ParseGen1Status(json, "p", kNow, &samples, &invalid);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("limit"), std::string::npos) << status.ToString();
  EXPECT_EQ(ParseGen1Status(kEmStatus, "", kNow, &samples, &invalid).code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(samples.empty());
}

}  // namespace
}  // namespace wattline::agent
