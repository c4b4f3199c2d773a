#include "agent/modbus/poll_plan.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace wattline::agent::modbus {
namespace {

std::shared_ptr<const ModbusProfile> Profile(std::string_view yaml) {
  Result<ModbusProfile> profile = ParseModbusProfile(yaml, "test.yaml", "test");
  EXPECT_TRUE(profile.ok()) << profile.status().ToString();
  return std::make_shared<const ModbusProfile>(std::move(*profile));
}

// Register values by address, answered for every planned read.
std::vector<std::vector<uint16_t>> Answer(const PollPlan& plan,
                                          const std::map<uint32_t, uint16_t>& registers) {
  std::vector<std::vector<uint16_t>> answers;
  for (const PlannedRead& read : plan.reads()) {
    std::vector<uint16_t> words(read.count, 0);
    for (uint16_t i = 0; i < read.count; ++i) {
      auto it = registers.find(uint32_t{read.address} + i);
      if (it != registers.end()) words[i] = it->second;
    }
    answers.push_back(std::move(words));
  }
  return answers;
}

std::map<std::string, double> ByLabels(const Samples& samples) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) out[LabelsToString(sample.labels)] = sample.value;
  return out;
}

TEST(PollPlan, DecodesScalesAndLabels) {
  auto profile = Profile(R"(table: input
fields:
  - {name: voltage_volts, labels: {phase: a}, address: 0}
  - {name: energy_imported_watt_hours_total, labels: {phase: total}, address: 72, scale: 1000}
  - {name: temperature_celsius, address: 80, type: int16, scale: 0.1, offset: -40}
)");
  Result<PollPlan> plan = PollPlan::Create(profile);
  ASSERT_TRUE(plan.ok());
  // 230.5 = 0x43668000; 12345.5 = 0x4640E600; int16 650 -> 65.0 - 40.
  auto answers = Answer(*plan, {{0, 0x4366}, {1, 0x8000}, {72, 0x4640}, {73, 0xE600}, {80, 650}});
  Samples samples;
  EXPECT_EQ(plan->Decode(answers, "meter", 1234, &samples), 3u);
  std::map<std::string, double> values = ByLabels(samples);
  EXPECT_EQ(values["voltage_volts{device=\"meter\",phase=\"a\"}"], 230.5);
  EXPECT_EQ(values["energy_imported_watt_hours_total{device=\"meter\",phase=\"total\"}"],
            12345500.0);
  EXPECT_DOUBLE_EQ(values["temperature_celsius{device=\"meter\"}"], 25.0);
  for (const Sample& sample : samples) {
    EXPECT_EQ(sample.timestamp_ms, 1234);
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok());
  }
}

// Labels are made canonical once per plan; each Decode fills in its device,
// which sorts between the field's own labels.
TEST(PollPlan, EveryDecodeLabelsItsOwnDevice) {
  auto profile = Profile(R"(table: input
type: uint16
fields:
  - {name: power_watts, labels: {channel: "2", phase: b, a_first: x}, address: 0}
)");
  Result<PollPlan> plan = PollPlan::Create(profile);
  ASSERT_TRUE(plan.ok());
  auto answers = Answer(*plan, {{0, 42}});
  Samples samples;
  ASSERT_EQ(plan->Decode(answers, "garage", 1, &samples), 1u);
  ASSERT_EQ(plan->Decode(answers, "a-much-longer-device-name-than-sso", 2, &samples), 1u);
  ASSERT_EQ(plan->Decode(answers, "d", 3, &samples), 1u);
  ASSERT_EQ(samples.size(), 3u);
  const Labels expected = {{"__name__", "power_watts"},
                           {"a_first", "x"},
                           {"channel", "2"},
                           {"device", "garage"},
                           {"phase", "b"}};
  EXPECT_EQ(samples[0].labels, expected);
  EXPECT_EQ(LabelsToString(samples[1].labels),
            "power_watts{a_first=\"x\",channel=\"2\","
            "device=\"a-much-longer-device-name-than-sso\",phase=\"b\"}");
  EXPECT_EQ(LabelValue(samples[2].labels, "device"), "d");
  for (const Sample& sample : samples) {
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok());
    EXPECT_EQ(sample.value, 42);
  }
}

TEST(PollPlan, FailedReadGivesNoSamplesForItsFields) {
  auto profile = Profile(R"(table: input
type: uint16
max_gap: 0
fields:
  - {name: a, address: 0}
  - {name: b, address: 10}
)");
  Result<PollPlan> plan = PollPlan::Create(profile);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->reads().size(), 2u);
  auto answers = Answer(*plan, {{0, 7}, {10, 9}});
  answers[0].clear();  // the first read failed
  Samples samples;
  EXPECT_EQ(plan->Decode(answers, "d", 0, &samples), 1u);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(MetricName(samples[0].labels), "b");
  EXPECT_EQ(samples[0].value, 9);
}

TEST(PollPlan, InvalidValuesAndNonFiniteResultsGiveNoSample) {
  auto profile = Profile(R"(table: holding
fields:
  - {name: a, address: 0, type: uint16, invalid: [0xFFFF]}
  - {name: b, address: 1, type: uint16, invalid: [0xFFFF]}
  - {name: c, address: 2, type: float32}
  - {name: d, address: 4, type: float32}
)");
  Result<PollPlan> plan = PollPlan::Create(profile);
  ASSERT_TRUE(plan.ok());
  auto answers = Answer(*plan, {{0, 0xFFFF}, {1, 12}, {2, 0x7FC0}, {4, 0x7F80}});
  Samples samples;
  EXPECT_EQ(plan->Decode(answers, "d", 0, &samples), 1u);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(MetricName(samples[0].labels), "b");
}

TEST(PollPlan, BitsDecodeToZeroOrOne) {
  auto profile = Profile(R"(fields:
  - {name: relay_on, address: 00001, type: bool}
  - {name: alarm, address: 10003, type: bool}
)");
  Result<PollPlan> plan = PollPlan::Create(profile);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->reads().size(), 2u);
  auto answers = Answer(*plan, {{0, 1}, {2, 0}});
  Samples samples;
  plan->Decode(answers, "d", 0, &samples);
  std::map<std::string, double> values = ByLabels(samples);
  EXPECT_EQ(values["relay_on{device=\"d\"}"], 1);
  EXPECT_EQ(values["alarm{device=\"d\"}"], 0);
}

constexpr char kSunSpec[] = R"(sunspec: {model: 203}
type: int16
fields:
  - {name: current_amperes, labels: {phase: total}, address: 2, sunssf: 6}
  - {name: current_amperes, labels: {phase: a}, address: 3, sunssf: 6}
  - {name: power_watts, labels: {phase: total}, address: 18, sunssf: 22}
  - {name: reactive_power_volt_amperes_reactive, labels: {phase: a}, address: 29, sunssf: 32}
  - {name: power_factor, labels: {phase: total}, address: 33, sunssf: 37, scale: 0.01}
  - {name: energy_imported_watt_hours_total, labels: {phase: total}, address: 46, type: acc32, sunssf: 54}
  - {name: energy_exported_watt_hours_total, labels: {phase: total}, address: 38, type: acc32, sunssf: 54}
  - {name: apparent_power_volt_amperes, labels: {phase: total}, address: 23, sunssf: 27}
)";

TEST(PollPlan, SunSpecScaleFactorsAndSentinels) {
  auto profile = Profile(kSunSpec);
  const uint16_t m = 40070;  // ID register of model 203
  Result<PollPlan> plan = PollPlan::CreateSunSpec(profile, m, 105);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->reads().size(), 1u);
  EXPECT_EQ(plan->reads()[0].address, m + 2);
  EXPECT_EQ(plan->reads()[0].count, 53);
  auto answers = Answer(*plan, {
                                   {m + 2, 2345},    // A
                                   {m + 3, 0x8000},  // AphA not implemented
                                   {m + 6, 0xFFFE},  // A_SF -2
                                   {m + 18, static_cast<uint16_t>(-1150)},
                                   {m + 22, 1},       // W_SF +1
                                   {m + 29, 500},     // VARphA, but VAR_SF missing:
                                   {m + 32, 0x8000},  // sunssf not implemented
                                   {m + 33, 556},
                                   {m + 37, 0xFFFF},  // PF_SF -1
                                   {m + 46, 0x075B},  // TotWhImp 123456789
                                   {m + 47, 0xCD15},
                                   {m + 38, 0},  // TotWhExp acc32 0: not implemented
                                   {m + 39, 0},
                                   {m + 54, 0xFFFF},  // TotWh_SF -1
                                   {m + 23, 5410},
                                   {m + 27, 11},  // VA_SF out of range: a fault
                               });
  Samples samples;
  plan->Decode(answers, "pv", 0, &samples);
  std::map<std::string, double> values = ByLabels(samples);
  EXPECT_EQ(values.size(), 4u);
  EXPECT_EQ(values["current_amperes{device=\"pv\",phase=\"total\"}"], 23.45);
  EXPECT_EQ(values["power_watts{device=\"pv\",phase=\"total\"}"], -11500);
  EXPECT_DOUBLE_EQ(values["power_factor{device=\"pv\",phase=\"total\"}"], 0.556);
  EXPECT_EQ(values["energy_imported_watt_hours_total{device=\"pv\",phase=\"total\"}"], 12345678.9);
}

TEST(PollPlan, SunSpecFieldsBeyondTheModelAreRefused) {
  auto profile = Profile(kSunSpec);
  EXPECT_FALSE(PollPlan::CreateSunSpec(profile, 40070, 50).ok());  // TotWh_SF at 54
  EXPECT_FALSE(PollPlan::CreateSunSpec(profile, 65500, 105).ok());
  EXPECT_TRUE(PollPlan::CreateSunSpec(profile, 40070, 53).ok());
}

}  // namespace
}  // namespace wattline::agent::modbus
