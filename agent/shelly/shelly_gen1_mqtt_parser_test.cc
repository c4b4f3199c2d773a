#include "agent/shelly/shelly_gen1_mqtt_parser.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "agent/shelly/shelly_mqtt_online.h"

namespace wattline::agent {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

// DEVICES.md A.2, verbatim: hikhvar/mqtt2prometheus examples/shelly_3em.yaml.
constexpr std::string_view kVerbatimCapture = R"(shellies/shellyem3-123456789/emeter/0/power 41.25
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

std::map<std::string, double> ByName(const Samples& samples) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) out[LabelsToString(sample.labels)] = sample.value;
  return out;
}

TEST(ShellyGen1MqttParser, MapsTheVerbatimCaptureToTheGen2SeriesNames) {
  std::istringstream lines{std::string(kVerbatimCapture)};
  std::string line;
  Samples samples;
  const std::string prefix = "shellies/shellyem3-123456789/";
  while (std::getline(lines, line)) {
    const size_t space = line.find(' ');
    ASSERT_NE(space, std::string::npos);
    const std::string topic = line.substr(0, space);
    ASSERT_EQ(topic.rfind(prefix, 0), 0u);
    ASSERT_TRUE(ParseShellyGen1Message(std::string_view(topic).substr(prefix.size()),
                                       line.substr(space + 1), "garage", kNow, &samples)
                    .ok())
        << line;
  }
  const std::map<std::string, double> expected = {
      {R"(power_watts{device="garage",phase="a"})", 41.25},
      {R"(power_factor{device="garage",phase="a"})", 0.18},
      {R"(current_amperes{device="garage",phase="a"})", 0.99},
      {R"(voltage_volts{device="garage",phase="a"})", 232.25},
      {R"(energy_imported_watt_hours_total{device="garage",phase="a"})", 13372.4},
      {R"(energy_exported_watt_hours_total{device="garage",phase="a"})", 0.0},
      {R"(power_watts{device="garage",phase="b"})", 275.04},
      {R"(power_factor{device="garage",phase="b"})", 0.72},
      {R"(current_amperes{device="garage",phase="b"})", 1.65},
      {R"(voltage_volts{device="garage",phase="b"})", 232.83},
      {R"(energy_imported_watt_hours_total{device="garage",phase="b"})", 27948.4},
      {R"(energy_exported_watt_hours_total{device="garage",phase="b"})", 0.0},
      {R"(power_watts{device="garage",phase="c"})", -2.23},
      {R"(power_factor{device="garage",phase="c"})", -0.02},
      {R"(current_amperes{device="garage",phase="c"})", 0.39},
      {R"(voltage_volts{device="garage",phase="c"})", 233.14},
      {R"(energy_imported_watt_hours_total{device="garage",phase="c"})", 4107.8},
      {R"(energy_exported_watt_hours_total{device="garage",phase="c"})", 186.9},
  };
  EXPECT_EQ(samples.size(), expected.size());
  EXPECT_EQ(ByName(samples), expected);
  for (const Sample& sample : samples) {
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok()) << LabelsToString(sample.labels);
    EXPECT_EQ(sample.timestamp_ms, kNow);
  }
}

TEST(ShellyGen1MqttParser, VolatileWattMinuteCountersAreNotShipped) {
  Samples samples;
  EXPECT_TRUE(ParseShellyGen1Message("emeter/0/energy", "80228", "g", kNow, &samples).ok());
  EXPECT_TRUE(ParseShellyGen1Message("emeter/1/returned_energy", "12", "g", kNow, &samples).ok());
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen1MqttParser, IgnoresUnknownFieldsAndOtherSubtopics) {
  Samples samples;
  for (std::string_view subtopic :
       {"emeter/0/reactive_power", "relay/0", "relay/0/power", "announce", "emeter/0",
        "emeter", "emeter/0/power/extra", "info"}) {
    EXPECT_TRUE(ParseShellyGen1Message(subtopic, "on", "g", kNow, &samples).ok()) << subtopic;
  }
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen1MqttParser, MalformedNumbersAreErrorsAndAppendNothing) {
  Samples samples;
  for (std::string_view payload : {"", " ", "abc", "12,5", "1.2.3", "nan", "inf", "-inf",
                                   "1e999", "0x10", "+5", "5 W", "{\"v\":1}"}) {
    Status status = ParseShellyGen1Message("emeter/0/power", payload, "g", kNow, &samples);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << "payload: " << payload;
  }
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen1MqttParser, IndexOutsideThreePhasesIsAnError) {
  Samples samples;
  for (std::string_view subtopic : {"emeter/3/power", "emeter/-1/power", "emeter//power",
                                    "emeter/00/power", "emeter/a/power"}) {
    EXPECT_FALSE(ParseShellyGen1Message(subtopic, "1", "g", kNow, &samples).ok()) << subtopic;
  }
  EXPECT_TRUE(samples.empty());
}

TEST(ShellyGen1MqttParser, AcceptsWhiteSpaceAroundTheNumber) {
  Samples samples;
  ASSERT_TRUE(ParseShellyGen1Message("emeter/2/voltage", " 231.5\r\n", "g", kNow, &samples).ok());
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].value, 231.5);
}

TEST(ShellyGen1MqttParser, EmptyDeviceIsRefused) {
  Samples samples;
  EXPECT_FALSE(ParseShellyGen1Message("emeter/0/power", "1", "", kNow, &samples).ok());
}

TEST(ShellyMqttOnline, ParsesTheLastWillPayloads) {
  EXPECT_TRUE(*ParseShellyOnlinePayload("true"));
  EXPECT_FALSE(*ParseShellyOnlinePayload("false"));
  EXPECT_TRUE(*ParseShellyOnlinePayload(" true\n"));
  EXPECT_FALSE(ParseShellyOnlinePayload("1").ok());
  EXPECT_FALSE(ParseShellyOnlinePayload("TRUE").ok());
  EXPECT_FALSE(ParseShellyOnlinePayload("").ok());
}

}  // namespace
}  // namespace wattline::agent
