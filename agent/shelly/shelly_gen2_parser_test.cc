#include "agent/shelly/shelly_gen2_parser.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

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

}  // namespace
}  // namespace wattline::agent
