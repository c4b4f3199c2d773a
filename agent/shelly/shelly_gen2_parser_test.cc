#include "agent/shelly/shelly_gen2_parser.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace wattline::agent {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

// DEVICES.md B.2, verbatim: EM.GetStatus with every key, all zeros.
constexpr std::string_view kVerbatimEmStatus =
    R"({"id":0,"a_current":0.0,"a_voltage":0.0,"a_act_power":0.0,"a_aprt_power":0.0,"a_pf":0.0,"a_freq":0.0,"a_errors":[],
 "b_current":0.0,"b_voltage":0.0,"b_act_power":0.0,"b_aprt_power":0.0,"b_pf":0.0,"b_freq":0.0,"b_errors":[],
 "c_current":0.0,"c_voltage":0.0,"c_act_power":0.0,"c_aprt_power":0.0,"c_pf":0.0,"c_freq":0.0,"c_errors":[],
 "n_current":0.0,"n_errors":[],"total_current":0.0,"total_act_power":0.0,"total_aprt_power":0.0,
 "user_calibrated_phase":[],"errors":[]})";

// DEVICES.md B.3, verbatim: EMData.GetStatus from a real Pro 3EM.
constexpr std::string_view kVerbatimEmDataStatus =
    R"({ "id": 0, "a_total_act_energy": 64735.49, "a_total_act_ret_energy": 0, "b_total_act_energy": 78798.66, "b_total_act_ret_energy": 0, "c_total_act_energy": 104999.43, "c_total_act_ret_energy": 0, "total_act": 248533.57, "total_act_ret": 0 })";

// Every EM field with a value of its own, so a field mapped to the wrong
// series cannot go unnoticed. Phase c exports.
constexpr std::string_view kDistinctEmStatus = R"({"id":0,
  "a_current":1.234,"a_voltage":229.898,"a_act_power":250.1,"a_aprt_power":283.9,"a_pf":0.88,"a_freq":50.01,
  "b_current":8.765,"b_voltage":231.002,"b_act_power":2010.4,"b_aprt_power":2024.7,"b_pf":0.99,"b_freq":50.02,
  "c_current":4.321,"c_voltage":232.117,"c_act_power":-987.6,"c_aprt_power":1003.0,"c_pf":-0.98,"c_freq":49.98,
  "n_current":0.456,"total_current":14.32,"total_act_power":1272.9,"total_aprt_power":3311.6,
  "user_calibrated_phase":["a"]})";

// The series of `samples` keyed by their Prometheus text form.
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

TEST(ShellyGen2Parser, ParsesVerbatimEmStatusIntoEverySeries) {
  Samples samples;
  ASSERT_TRUE(ParseEmStatus(kVerbatimEmStatus, "panel", kNow, &samples).ok());
  const std::map<std::string, double> expected = {
      {R"(current_amperes{device="panel",phase="a"})", 0.0},
      {R"(current_amperes{device="panel",phase="b"})", 0.0},
      {R"(current_amperes{device="panel",phase="c"})", 0.0},
      {R"(current_amperes{device="panel",phase="n"})", 0.0},
      {R"(current_amperes{device="panel",phase="total"})", 0.0},
      {R"(voltage_volts{device="panel",phase="a"})", 0.0},
      {R"(voltage_volts{device="panel",phase="b"})", 0.0},
      {R"(voltage_volts{device="panel",phase="c"})", 0.0},
      {R"(power_watts{device="panel",phase="a"})", 0.0},
      {R"(power_watts{device="panel",phase="b"})", 0.0},
      {R"(power_watts{device="panel",phase="c"})", 0.0},
      {R"(power_watts{device="panel",phase="total"})", 0.0},
      {R"(apparent_power_volt_amperes{device="panel",phase="a"})", 0.0},
      {R"(apparent_power_volt_amperes{device="panel",phase="b"})", 0.0},
      {R"(apparent_power_volt_amperes{device="panel",phase="c"})", 0.0},
      {R"(apparent_power_volt_amperes{device="panel",phase="total"})", 0.0},
      {R"(power_factor{device="panel",phase="a"})", 0.0},
      {R"(power_factor{device="panel",phase="b"})", 0.0},
      {R"(power_factor{device="panel",phase="c"})", 0.0},
      {R"(frequency_hertz{device="panel",phase="a"})", 0.0},
      {R"(frequency_hertz{device="panel",phase="b"})", 0.0},
      {R"(frequency_hertz{device="panel",phase="c"})", 0.0},
  };
  EXPECT_EQ(samples.size(), expected.size());
  EXPECT_EQ(ByName(samples), expected);
  for (const Sample& sample : samples) {
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok()) << LabelsToString(sample.labels);
    EXPECT_EQ(sample.labels.size(), 3u);
    EXPECT_EQ(sample.timestamp_ms, kNow);
  }
}

TEST(ShellyGen2Parser, MapsEachEmFieldToItsOwnSeries) {
  Samples samples;
  ASSERT_TRUE(ParseEmStatus(kDistinctEmStatus, "panel", kNow, &samples).ok());
  const std::map<std::string, double> expected = {
      {R"(current_amperes{device="panel",phase="a"})", 1.234},
      {R"(current_amperes{device="panel",phase="b"})", 8.765},
      {R"(current_amperes{device="panel",phase="c"})", 4.321},
      {R"(current_amperes{device="panel",phase="n"})", 0.456},
      {R"(current_amperes{device="panel",phase="total"})", 14.32},
      {R"(voltage_volts{device="panel",phase="a"})", 229.898},
      {R"(voltage_volts{device="panel",phase="b"})", 231.002},
      {R"(voltage_volts{device="panel",phase="c"})", 232.117},
      {R"(power_watts{device="panel",phase="a"})", 250.1},
      {R"(power_watts{device="panel",phase="b"})", 2010.4},
      {R"(power_watts{device="panel",phase="c"})", -987.6},
      {R"(power_watts{device="panel",phase="total"})", 1272.9},
      {R"(apparent_power_volt_amperes{device="panel",phase="a"})", 283.9},
      {R"(apparent_power_volt_amperes{device="panel",phase="b"})", 2024.7},
      {R"(apparent_power_volt_amperes{device="panel",phase="c"})", 1003.0},
      {R"(apparent_power_volt_amperes{device="panel",phase="total"})", 3311.6},
      {R"(power_factor{device="panel",phase="a"})", 0.88},
      {R"(power_factor{device="panel",phase="b"})", 0.99},
      {R"(power_factor{device="panel",phase="c"})", -0.98},
      {R"(frequency_hertz{device="panel",phase="a"})", 50.01},
      {R"(frequency_hertz{device="panel",phase="b"})", 50.02},
      {R"(frequency_hertz{device="panel",phase="c"})", 49.98},
  };
  // Exact equality on purpose: values must be the parsed doubles, unrounded.
  EXPECT_EQ(ByName(samples), expected);
}

TEST(ShellyGen2Parser, KeepsNegativePowerAsExport) {
  Samples samples;
  ASSERT_TRUE(ParseEmStatus(R"({"c_act_power":-1523.7,"total_act_power":-1300.25})", "panel", kNow,
                            &samples)
                  .ok());
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].value, -1523.7);
  EXPECT_EQ(samples[1].value, -1300.25);
}

TEST(ShellyGen2Parser, ParsesVerbatimEmDataStatusFromRealDevice) {
  Samples samples;
  ASSERT_TRUE(ParseEmDataStatus(kVerbatimEmDataStatus, "panel", kNow, &samples).ok());
  const std::map<std::string, double> expected = {
      {R"(energy_imported_watt_hours_total{device="panel",phase="a"})", 64735.49},
      {R"(energy_imported_watt_hours_total{device="panel",phase="b"})", 78798.66},
      {R"(energy_imported_watt_hours_total{device="panel",phase="c"})", 104999.43},
      {R"(energy_imported_watt_hours_total{device="panel",phase="total"})", 248533.57},
      {R"(energy_exported_watt_hours_total{device="panel",phase="a"})", 0.0},
      {R"(energy_exported_watt_hours_total{device="panel",phase="b"})", 0.0},
      {R"(energy_exported_watt_hours_total{device="panel",phase="c"})", 0.0},
      {R"(energy_exported_watt_hours_total{device="panel",phase="total"})", 0.0},
  };
  EXPECT_EQ(samples.size(), expected.size());
  EXPECT_EQ(ByName(samples), expected);
  for (const Sample& sample : samples) {
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok());
    EXPECT_EQ(sample.timestamp_ms, kNow);
  }
}

TEST(ShellyGen2Parser, NullPhaseFieldsProduceNoSample) {
  // Phase c without a CT and no neutral CT, as the device reports them.
  constexpr std::string_view kJson = R"({"id":0,
    "a_current":1.5,"a_voltage":230.1,"a_act_power":300.2,"a_aprt_power":345.0,"a_pf":0.87,"a_freq":50.0,
    "b_current":0.5,"b_voltage":229.5,"b_act_power":100.0,"b_aprt_power":115.0,"b_pf":0.87,"b_freq":50.0,
    "c_current":null,"c_voltage":null,"c_act_power":null,"c_aprt_power":null,"c_pf":null,"c_freq":null,
    "n_current":null,"total_current":2.0,"total_act_power":400.2,"total_aprt_power":460.0})";
  Samples samples;
  ASSERT_TRUE(ParseEmStatus(kJson, "panel", kNow, &samples).ok());
  EXPECT_EQ(samples.size(), 15u);
  for (const Sample& sample : samples) {
    EXPECT_NE(LabelValue(sample.labels, "phase"), "c") << LabelsToString(sample.labels);
    EXPECT_NE(LabelValue(sample.labels, "phase"), "n") << LabelsToString(sample.labels);
  }
}

TEST(ShellyGen2Parser, AbsentFieldsProduceNoSample) {
  Samples samples;
  ASSERT_TRUE(ParseEmDataStatus(R"({"id":0,"total_act":12.5})", "panel", kNow, &samples).ok());
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(LabelsToString(samples[0].labels),
            R"(energy_imported_watt_hours_total{device="panel",phase="total"})");
  EXPECT_EQ(samples[0].value, 12.5);
}

TEST(ShellyGen2Parser, AppendsAfterExistingSamples) {
  Samples samples = {Sentinel()};
  ASSERT_TRUE(ParseEmDataStatus(kVerbatimEmDataStatus, "panel", kNow, &samples).ok());
  ASSERT_EQ(samples.size(), 9u);
  EXPECT_EQ(MetricName(samples[0].labels), "sentinel");
}

TEST(ShellyGen2Parser, IgnoresUnknownFieldsAndErrorArrays) {
  constexpr std::string_view kJson = R"({"id":0,"a_act_power":12.0,
    "a_errors":["out_of_range:current"],"a_flags":["overpower"],"n_errors":["out_of_range:current"],
    "user_calibrated_phase":["a","b"],"future_field":{"x":[1,2,3]},"a_future_power":"n/a"})";
  Samples samples;
  ASSERT_TRUE(ParseEmStatus(kJson, "panel", kNow, &samples).ok());
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].value, 12.0);
}

TEST(ShellyGen2Parser, ReportsPowerMeterFailureAsUnavailable) {
  constexpr std::string_view kJson =
      R"({"id":0,"a_act_power":12.0,"errors":["phase_sequence","power_meter_failure"]})";
  Samples samples = {Sentinel()};
  Status status = ParseEmStatus(kJson, "panel", kNow, &samples);
  EXPECT_EQ(status.code(), Status::Code::kUnavailable);
  EXPECT_NE(status.message().find("power_meter_failure"), std::string::npos) << status.ToString();
  EXPECT_EQ(samples.size(), 1u);
}

TEST(ShellyGen2Parser, IgnoresOtherMeterErrors) {
  constexpr std::string_view kJson =
      R"({"id":0,"a_act_power":12.0,"errors":["phase_sequence","ct_type_not_set","no_load",7,null]})";
  Samples samples;
  ASSERT_TRUE(ParseEmStatus(kJson, "panel", kNow, &samples).ok());
  EXPECT_EQ(samples.size(), 1u);
}

TEST(ShellyGen2Parser, EmDataIgnoresItsErrors) {
  Samples samples;
  ASSERT_TRUE(
      ParseEmDataStatus(R"({"total_act":1.0,"errors":["database_error"]})", "panel", kNow, &samples)
          .ok());
  EXPECT_EQ(samples.size(), 1u);
}

TEST(ShellyGen2Parser, RefusesMeterErrorsThatAreNotAnArray) {
  Samples samples;
  Status status = ParseEmStatus(R"({"a_act_power":1.0,"errors":"power_meter_failure"})", "panel",
                                kNow, &samples);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("\"errors\""), std::string::npos) << status.ToString();
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen2Parser, RefusesNonJsonAndAppendsNothing) {
  for (std::string_view json : {"", "not json", "{\"a_act_power\":1.0", "{\"a_act_power\":1.0}}",
                                "{\"a_act_power\":NaN}", "{\"a_act_power\":1e400}"}) {
    Samples samples = {Sentinel()};
    Status status = ParseEmStatus(json, "panel", kNow, &samples);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << json;
    EXPECT_EQ(samples.size(), 1u) << json;
  }
}

TEST(ShellyGen2Parser, RefusesDocumentThatIsNotAnObject) {
  for (std::string_view json :
       {"[]", "[{\"a_act_power\":1.0}]", "42", "\"text\"", "null", "true"}) {
    Samples samples;
    Status status = ParseEmDataStatus(json, "panel", kNow, &samples);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << json;
    EXPECT_NE(status.message().find("object"), std::string::npos) << status.ToString();
    EXPECT_TRUE(samples.empty()) << json;
  }
}

TEST(ShellyGen2Parser, RefusesNonNumericFieldNamingIt) {
  for (std::string_view json :
       {R"({"a_current":1.0,"b_voltage":"230.1"})", R"({"a_current":1.0,"b_voltage":true})",
        R"({"a_current":1.0,"b_voltage":[230.1]})",
        R"({"a_current":1.0,"b_voltage":{"v":230.1}})"}) {
    Samples samples = {Sentinel()};
    Status status = ParseEmStatus(json, "panel", kNow, &samples);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << json;
    EXPECT_NE(status.message().find("\"b_voltage\""), std::string::npos) << status.ToString();
    // The valid a_current before it must not have been appended either.
    EXPECT_EQ(samples.size(), 1u) << json;
  }
  Samples samples;
  Status status = ParseEmDataStatus(R"({"total_act":"248533.57"})", "panel", kNow, &samples);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("\"total_act\""), std::string::npos) << status.ToString();
}

TEST(ShellyGen2Parser, RefusesObjectWithoutKnownFields) {
  // An RPC error reply and a framed reply are not status objects.
  for (std::string_view json :
       {R"({"code":404,"message":"No handler for EM.GetStatus"})",
        R"({"id":1,"src":"shellypro3em-x","result":{"total_act":1.0}})", "{}"}) {
    Samples samples;
    EXPECT_EQ(ParseEmDataStatus(json, "panel", kNow, &samples).code(),
              Status::Code::kInvalidArgument)
        << json;
    EXPECT_TRUE(samples.empty());
  }
}

TEST(ShellyGen2Parser, RefusesOversizeDocumentBeforeParsing) {
  // Valid JSON at exactly the limit is accepted; one byte more is refused.
  const std::string head = R"({"total_act":1.0,"pad":")";
  const std::string tail = "\"}";
  std::string json =
      head + std::string(kMaxShellyDocumentBytes - head.size() - tail.size(), 'x') + tail;
  ASSERT_EQ(json.size(), kMaxShellyDocumentBytes);
  Samples samples;
  ASSERT_TRUE(ParseEmDataStatus(json, "panel", kNow, &samples).ok());
  EXPECT_EQ(samples.size(), 1u);

  json.insert(head.size(), "x");
  samples.clear();
  Status status = ParseEmDataStatus(json, "panel", kNow, &samples);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("limit"), std::string::npos) << status.ToString();
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen2Parser, RefusesEmptyDeviceName) {
  Samples samples;
  EXPECT_EQ(ParseEmDataStatus(kVerbatimEmDataStatus, "", kNow, &samples).code(),
            Status::Code::kInvalidArgument);
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen2Parser, ErrorsNameTheMethod) {
  Samples samples;
  EXPECT_EQ(ParseEmStatus("x", "panel", kNow, &samples).message().rfind("EM.GetStatus: ", 0), 0u);
  EXPECT_EQ(
      ParseEmDataStatus("x", "panel", kNow, &samples).message().rfind("EMData.GetStatus: ", 0), 0u);
}

// DEVICES.md B.6, verbatim: Shelly.GetStatus of a real Plus 1PM.
constexpr std::string_view kVerbatimPlus1pmStatus =
    R"({"ble":{},"cloud":{"connected":false},"input:0":{"id":0,"state":false},"mqtt":{"connected":true},"switch:0":{"id":0, "source":"MQTT", "output":false, "apower":0.0, "voltage":235.9, "current":0.000, "aenergy":{"total":20393.619,"by_minute":[0.000,0.000,0.000],"minute_ts":1709223441},"temperature":{"tC":34.6, "tF":94.3}},"sys":{"mac":"FCB467A66E3C","restart_required":false,"time":"17:17","unixtime":1709223443,"uptime":8644483,"ram_size":246256,"ram_free":143544,"fs_size":458752,"fs_free":147456,"cfg_rev":9,"kvs_rev":0,"schedule_rev":0,"webhook_rev":0,"available_updates":{"stable":{"version":"1.2.2"}}},"wifi":{"sta_ip":"192.168.100.88","status":"got ip","ssid":"Odyssee2001","rssi":-42},"ws":{"connected":false}})";

// A Pro 3EM's Shelly.GetStatus in the triphase profile: the B.2 and B.3
// verbatim objects as its em:0 and emdata:0, among the components every
// Gen2 device has.
std::string Pro3emStatus(std::string_view em, std::string_view emdata) {
  return R"({"ble":{},"cloud":{"connected":true},"em:0":)" + std::string(em) +
         R"(,"emdata:0":)" + std::string(emdata) +
         R"(,"eth":{"ip":null},"modbus":{},"mqtt":{"connected":false},)"
         R"("sys":{"mac":"C8F09E000001","uptime":563},"temperature:0":{"id":0,"tC":39.0,"tF":102.2},)"
         R"("wifi":{"sta_ip":"192.0.2.20","status":"got ip","rssi":-67},"ws":{"connected":false}})";
}

// The Pro 3EM in the monophase profile: three single-phase meters.
constexpr std::string_view kMonophaseStatus = R"({"ble":{},"cloud":{"connected":false},
  "em1:0":{"id":0,"current":3.705,"voltage":242.8,"act_power":-598.9,"aprt_power":900.6,"pf":-0.66,"freq":50.0,"calibration":"factory"},
  "em1:1":{"id":1,"current":0.194,"voltage":242.7,"act_power":0.0,"aprt_power":47.2,"pf":0.0,"freq":50.01,"calibration":"factory"},
  "em1:2":{"id":2,"current":null,"voltage":242.6,"act_power":null,"aprt_power":null,"pf":null,"freq":49.99,"calibration":"factory"},
  "em1data:0":{"id":0,"total_act_energy":3458.24,"total_act_ret_energy":1605.24},
  "em1data:1":{"id":1,"total_act_energy":2768.67,"total_act_ret_energy":25.49},
  "em1data:2":{"id":2,"total_act_energy":3.09,"total_act_ret_energy":0.71},
  "sys":{"uptime":563},"temperature:0":{"id":0,"tC":39.0,"tF":102.2}})";

Status ParseStatus(std::string_view json, Samples* samples, std::vector<std::string>* faulty) {
  return ParseShellyStatus(json, "dev", kNow, samples, faulty);
}

TEST(ShellyGen2Status, ParsesVerbatimPlus1pmSwitchIntoChannelSeries) {
  Samples samples;
  std::vector<std::string> faulty;
  ASSERT_TRUE(ParseShellyStatus(kVerbatimPlus1pmStatus, "plug", kNow, &samples, &faulty).ok());
  const std::map<std::string, double> expected = {
      {R"(power_watts{channel="0",device="plug"})", 0.0},
      {R"(voltage_volts{channel="0",device="plug"})", 235.9},
      {R"(current_amperes{channel="0",device="plug"})", 0.0},
      {R"(energy_imported_watt_hours_total{channel="0",device="plug"})", 20393.619},
      {R"(temperature_celsius{channel="0",device="plug"})", 34.6},
  };
  EXPECT_EQ(samples.size(), expected.size());
  EXPECT_EQ(ByName(samples), expected);
  EXPECT_TRUE(faulty.empty());
  for (const Sample& sample : samples) {
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok()) << LabelsToString(sample.labels);
    EXPECT_EQ(sample.timestamp_ms, kNow);
  }
}

TEST(ShellyGen2Status, Pro3emTriphaseGivesTheSameSeriesAsTheComponentCalls) {
  Samples from_status;
  std::vector<std::string> faulty;
  ASSERT_TRUE(ParseShellyStatus(Pro3emStatus(kDistinctEmStatus, kVerbatimEmDataStatus), "panel",
                                kNow, &from_status, &faulty)
                  .ok());
  Samples from_calls;
  ASSERT_TRUE(ParseEmStatus(kDistinctEmStatus, "panel", kNow, &from_calls).ok());
  ASSERT_TRUE(ParseEmDataStatus(kVerbatimEmDataStatus, "panel", kNow, &from_calls).ok());
  EXPECT_EQ(from_status.size(), 22u + 8u);
  EXPECT_EQ(ByName(from_status), ByName(from_calls));
  EXPECT_TRUE(faulty.empty());
}

TEST(ShellyGen2Status, MonophaseEm1ComponentsAreChannels) {
  Samples samples;
  std::vector<std::string> faulty;
  ASSERT_TRUE(ParseStatus(kMonophaseStatus, &samples, &faulty).ok());
  const std::map<std::string, double> expected = {
      {R"(current_amperes{channel="0",device="dev"})", 3.705},
      {R"(voltage_volts{channel="0",device="dev"})", 242.8},
      {R"(power_watts{channel="0",device="dev"})", -598.9},
      {R"(apparent_power_volt_amperes{channel="0",device="dev"})", 900.6},
      {R"(power_factor{channel="0",device="dev"})", -0.66},
      {R"(frequency_hertz{channel="0",device="dev"})", 50.0},
      {R"(current_amperes{channel="1",device="dev"})", 0.194},
      {R"(voltage_volts{channel="1",device="dev"})", 242.7},
      {R"(power_watts{channel="1",device="dev"})", 0.0},
      {R"(apparent_power_volt_amperes{channel="1",device="dev"})", 47.2},
      {R"(power_factor{channel="1",device="dev"})", 0.0},
      {R"(frequency_hertz{channel="1",device="dev"})", 50.01},
      // Channel 2 has no CT: its nulls yield nothing, its voltage is real.
      {R"(voltage_volts{channel="2",device="dev"})", 242.6},
      {R"(frequency_hertz{channel="2",device="dev"})", 49.99},
      {R"(energy_imported_watt_hours_total{channel="0",device="dev"})", 3458.24},
      {R"(energy_exported_watt_hours_total{channel="0",device="dev"})", 1605.24},
      {R"(energy_imported_watt_hours_total{channel="1",device="dev"})", 2768.67},
      {R"(energy_exported_watt_hours_total{channel="1",device="dev"})", 25.49},
      {R"(energy_imported_watt_hours_total{channel="2",device="dev"})", 3.09},
      {R"(energy_exported_watt_hours_total{channel="2",device="dev"})", 0.71},
  };
  EXPECT_EQ(samples.size(), expected.size());
  EXPECT_EQ(ByName(samples), expected);
}

TEST(ShellyGen2Status, BidirectionalSwitchAndPm1MapEveryField) {
  // A 1PM Gen4 feeding in (ret_aenergy, negative power) and a PM Mini.
  constexpr std::string_view kJson = R"({
    "switch:0":{"id":0,"output":true,"apower":-412.5,"voltage":231.4,"current":1.812,"pf":-0.98,"freq":50.02,
                "aenergy":{"total":1234.567,"by_minute":[1.0,2.0,3.0],"minute_ts":1709223441},
                "ret_aenergy":{"total":8901.234,"by_minute":[4.0,5.0,6.0],"minute_ts":1709223441},
                "temperature":{"tC":41.2,"tF":106.2},"errors":["overtemp"]},
    "pm1:1":{"id":1,"apower":7.5,"voltage":229.0,"current":0.061,"freq":49.98,"aenergy":{"total":10}}})";
  Samples samples;
  std::vector<std::string> faulty;
  ASSERT_TRUE(ParseStatus(kJson, &samples, &faulty).ok());
  const std::map<std::string, double> expected = {
      {R"(power_watts{channel="0",device="dev"})", -412.5},
      {R"(voltage_volts{channel="0",device="dev"})", 231.4},
      {R"(current_amperes{channel="0",device="dev"})", 1.812},
      {R"(power_factor{channel="0",device="dev"})", -0.98},
      {R"(frequency_hertz{channel="0",device="dev"})", 50.02},
      {R"(energy_imported_watt_hours_total{channel="0",device="dev"})", 1234.567},
      {R"(energy_exported_watt_hours_total{channel="0",device="dev"})", 8901.234},
      {R"(temperature_celsius{channel="0",device="dev"})", 41.2},
      {R"(power_watts{channel="1",device="dev"})", 7.5},
      {R"(voltage_volts{channel="1",device="dev"})", 229.0},
      {R"(current_amperes{channel="1",device="dev"})", 0.061},
      {R"(frequency_hertz{channel="1",device="dev"})", 49.98},
      {R"(energy_imported_watt_hours_total{channel="1",device="dev"})", 10.0},
  };
  EXPECT_EQ(ByName(samples), expected);
  EXPECT_TRUE(faulty.empty()) << "a switch's errors are conditions, not faulty readings";
}

TEST(ShellyGen2Status, SwitchWithoutMeteringYieldsNothingButIsNoError) {
  Samples samples;
  std::vector<std::string> faulty;
  ASSERT_TRUE(ParseStatus(R"({"switch:0":{"id":0,"source":"init","output":false},
                             "em1:0":{"id":0,"act_power":5.0}})",
                          &samples, &faulty)
                  .ok());
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(LabelsToString(samples[0].labels), R"(power_watts{channel="0",device="dev"})");
}

TEST(ShellyGen2Status, FaultyMeterIsNamedAndTheOtherComponentsStillCount) {
  const std::string json =
      Pro3emStatus(R"({"id":0,"a_act_power":12.0,"errors":["power_meter_failure"]})",
                   kVerbatimEmDataStatus);
  Samples samples = {Sentinel()};
  std::vector<std::string> faulty;
  ASSERT_TRUE(ParseStatus(json, &samples, &faulty).ok());
  EXPECT_EQ(faulty, std::vector<std::string>{"em:0"});
  ASSERT_EQ(samples.size(), 1u + 8u);
  for (size_t i = 1; i < samples.size(); ++i) {
    EXPECT_NE(MetricName(samples[i].labels).find("energy_"), std::string_view::npos);
  }

  samples.clear();
  faulty.clear();
  ASSERT_TRUE(
      ParseStatus(R"({"em1:0":{"act_power":1.0},"em1:1":{"act_power":2.0,"errors":["power_meter_failure"]}})",
                  &samples, &faulty)
          .ok());
  EXPECT_EQ(faulty, std::vector<std::string>{"em1:1"});
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].value, 1.0);
}

TEST(ShellyGen2Status, SecondEmMeterGetsAChannelLabel) {
  Samples samples;
  std::vector<std::string> faulty;
  ASSERT_TRUE(ParseStatus(R"({"em:0":{"a_act_power":1.0},"em:1":{"a_act_power":2.0}})", &samples,
                          &faulty)
                  .ok());
  const std::map<std::string, double> expected = {
      {R"(power_watts{device="dev",phase="a"})", 1.0},
      {R"(power_watts{channel="1",device="dev",phase="a"})", 2.0},
  };
  EXPECT_EQ(ByName(samples), expected);
}

TEST(ShellyGen2Status, RefusesDocumentsItCannotTrustAndAppendsNothing) {
  struct Case {
    std::string_view json;
    std::string_view named;
  };
  for (const Case& c : {
           Case{R"({"code":401,"message":"unauthorized"})", "no metering component"},
           Case{R"({"sys":{},"wifi":{}})", "no metering component"},
           Case{R"({"em:0":[1,2]})", R"(component "em:0": expected an object)"},
           Case{R"({"em:0":{"a_act_power":1},"switch:x":{}})", R"("switch:x")"},
           Case{R"({"switch:0":{"apower":"12"}})", R"(component "switch:0": field "apower")"},
           Case{R"({"switch:0":{"aenergy":5}})", R"(field "aenergy": expected an object)"},
           Case{R"({"switch:0":{"aenergy":{"total":"5"}}})", R"(field "aenergy.total")"},
           Case{R"({"em1:0":{"errors":"power_meter_failure"}})", R"(field "errors")"},
           Case{R"({"em1:0":{"act_power":1},"switch:0":{"apower":2}})",
                R"(two components produce the series power_watts{channel="0",device="dev"})"},
           Case{"[]", "object"},
           Case{"garbage", "not valid JSON"},
       }) {
    Samples samples = {Sentinel()};
    std::vector<std::string> faulty;
    Status status = ParseStatus(c.json, &samples, &faulty);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << c.json;
    EXPECT_NE(status.message().find(c.named), std::string::npos) << status.ToString();
    EXPECT_EQ(samples.size(), 1u) << c.json;
    EXPECT_TRUE(faulty.empty()) << c.json;
  }
  // A faulty component before a malformed one is not reported either.
  Samples samples;
  std::vector<std::string> faulty;
  EXPECT_FALSE(ParseStatus(R"({"em:0":{"errors":["power_meter_failure"]},"switch:0":{"apower":true}})",
                           &samples, &faulty)
                   .ok());
  EXPECT_TRUE(faulty.empty());
}

TEST(ShellyGen2Component, ParsesABareComponentByItsKey) {
  Samples samples;
  ASSERT_TRUE(ParseShellyComponentStatus(
                  "em1:1", R"({"id":1,"current":0.194,"voltage":242.8,"act_power":0.0})", "dev",
                  kNow, &samples)
                  .ok());
  const std::map<std::string, double> expected = {
      {R"(current_amperes{channel="1",device="dev"})", 0.194},
      {R"(voltage_volts{channel="1",device="dev"})", 242.8},
      {R"(power_watts{channel="1",device="dev"})", 0.0},
  };
  EXPECT_EQ(ByName(samples), expected);

  Samples verbatim;
  ASSERT_TRUE(ParseShellyComponentStatus("emdata:0", kVerbatimEmDataStatus, "panel", kNow, &verbatim)
                  .ok());
  Samples expected_verbatim;
  ASSERT_TRUE(ParseEmDataStatus(kVerbatimEmDataStatus, "panel", kNow, &expected_verbatim).ok());
  EXPECT_EQ(ByName(verbatim), ByName(expected_verbatim));
}

TEST(ShellyGen2Component, RefusesUnknownKeysErrorObjectsAndFailures) {
  Samples samples;
  EXPECT_EQ(ParseShellyComponentStatus("sys", R"({"uptime":1})", "dev", kNow, &samples).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(ParseShellyComponentStatus("temperature:0", R"({"tC":1})", "dev", kNow, &samples).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(ParseShellyComponentStatus("switch:-1", R"({"apower":1})", "dev", kNow, &samples).code(),
            Status::Code::kInvalidArgument);
  Status status = ParseShellyComponentStatus(
      "switch:0", R"({"code":-105,"message":"Argument 'id', value 3 not found!"})", "dev", kNow,
      &samples);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("Switch.GetStatus switch:0: ", 0), 0u) << status.ToString();
  EXPECT_EQ(ParseShellyComponentStatus("em1:0", R"({"act_power":1,"errors":["power_meter_failure"]})",
                                       "dev", kNow, &samples)
                .code(),
            Status::Code::kUnavailable);
  EXPECT_TRUE(samples.empty());
}

}  // namespace
}  // namespace wattline::agent
