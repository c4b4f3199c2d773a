#include "agent/zigbee2mqtt/zigbee2mqtt_state_mapper.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "agent/zigbee2mqtt/zigbee2mqtt_test_data.h"

namespace wattline::agent {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::map<std::string, double> ByName(const Samples& samples) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) out[LabelsToString(sample.labels)] = sample.value;
  return out;
}

std::vector<Z2mFieldSeries> SeriesOf(size_t index) {
  Result<std::vector<Z2mDevice>> devices = ParseZ2mDeviceList(testing::kBridgeDevices);
  EXPECT_TRUE(devices.ok());
  return *SeriesForDevice((*devices)[index]);
}

// DEVICES.md C.1's capture, exactly.
const std::map<std::string, double> kTs011fExpected = {
    {R"(power_watts{device="z1"})", 0},
    {R"(current_amperes{device="z1"})", 0},
    {R"(voltage_volts{device="z1"})", 243},
    {R"(energy_imported_watt_hours_total{device="z1"})", 12.05 * 1000},
    {R"(link_quality{device="z1"})", 43},
};

TEST(Z2mStateMapper, Ts011fCaptureWithExposes) {
  std::vector<Z2mFieldSeries> series = SeriesOf(0);
  Samples samples;
  size_t added = 0;
  Status status = MapZ2mState(testing::kTs011fState, &series, "z1", kNow, &samples, &added);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(ByName(samples), kTs011fExpected);
  EXPECT_EQ(added, 5u);
  for (const Sample& sample : samples) {
    EXPECT_EQ(sample.timestamp_ms, kNow);
    EXPECT_TRUE(ValidateCanonical(sample.labels).ok());
  }
}

TEST(Z2mStateMapper, Ts011fCaptureWithoutExposesGivesTheSameSeries) {
  Samples samples;
  ASSERT_TRUE(MapZ2mState(testing::kTs011fState, nullptr, "z1", kNow, &samples).ok());
  EXPECT_EQ(ByName(samples), kTs011fExpected);
}

TEST(Z2mStateMapper, MilliamperesBecomeAmperes) {
  std::vector<Z2mFieldSeries> series = SeriesOf(1);
  Samples samples;
  ASSERT_TRUE(
      MapZ2mState(R"({"state":"ON","power":1150,"current":5020,"voltage":229,"power_factor":99})",
                  &series, "kitchen/floor_plug", kNow, &samples)
          .ok());
  EXPECT_EQ(ByName(samples), (std::map<std::string, double>{
                                 {R"(power_watts{device="kitchen/floor_plug"})", 1150},
                                 {R"(current_amperes{device="kitchen/floor_plug"})", 5020 * 0.001},
                                 {R"(voltage_volts{device="kitchen/floor_plug"})", 229},
                                 {R"(power_factor{device="kitchen/floor_plug"})", 99 * 0.01},
                             }));
}

TEST(Z2mStateMapper, ExposesDecideOverTheFixedTable) {
  // The sensor's voltage is its battery's, in mV.
  std::vector<Z2mFieldSeries> series = SeriesOf(2);
  Samples samples;
  ASSERT_TRUE(
      MapZ2mState(
          R"({"battery":97,"humidity":44.72,"temperature":27.34,"voltage":3005,"pm25":12,"linkquality":255})",
          &series, "kitchen", kNow, &samples)
          .ok());
  EXPECT_EQ(ByName(samples), (std::map<std::string, double>{
                                 {R"(battery_ratio{device="kitchen"})", 97 * 0.01},
                                 {R"(humidity_ratio{device="kitchen"})", 44.72 * 0.01},
                                 {R"(temperature_celsius{device="kitchen"})", 27.34},
                                 {R"(voltage_volts{device="kitchen"})", 3005 * 0.001},
                                 {R"(link_quality{device="kitchen"})", 255},
                             }));
}

TEST(Z2mStateMapper, MalformedStatesAreRefusedWithoutSamples) {
  std::vector<Z2mFieldSeries> series = SeriesOf(0);
  for (std::string_view bad : {"", "{", "[1,2]", "\"ON\"", "12"}) {
    Samples samples;
    EXPECT_EQ(MapZ2mState(bad, &series, "z1", kNow, &samples).code(),
              Status::Code::kInvalidArgument)
        << bad;
    EXPECT_TRUE(samples.empty());
  }
  Samples samples;
  EXPECT_FALSE(
      MapZ2mState(std::string(kMaxZ2mStateBytes + 1, ' '), &series, "z1", kNow, &samples).ok());
}

TEST(Z2mStateMapper, AFieldOfTheWrongTypeFailsAloneAndNullIsNoReading) {
  std::vector<Z2mFieldSeries> series = SeriesOf(0);
  Samples samples;
  size_t added = 0;
  Status status = MapZ2mState(R"({"power":"12 W","voltage":230,"current":null})", &series, "z1",
                              kNow, &samples, &added);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("\"power\""), std::string::npos) << status.message();
  EXPECT_EQ(ByName(samples),
            (std::map<std::string, double>{{R"(voltage_volts{device="z1"})", 230}}));
  EXPECT_EQ(added, 1u);
}

TEST(Z2mStateMapper, OneSeriesPerMessageEvenWhenTwoFieldsFeedIt) {
  Samples samples;
  ASSERT_TRUE(
      MapZ2mState(R"({"illuminance":120,"illuminance_lux":120})", nullptr, "hall", kNow, &samples)
          .ok());
  EXPECT_EQ(samples.size(), 1u);
}

TEST(Z2mStateMapper, AvailabilityInBothForms) {
  EXPECT_TRUE(*ParseZ2mAvailability("online"));
  EXPECT_FALSE(*ParseZ2mAvailability("offline"));
  EXPECT_TRUE(*ParseZ2mAvailability(R"({"state":"online"})"));
  EXPECT_FALSE(*ParseZ2mAvailability(R"({"state":"offline"})"));
  EXPECT_TRUE(*ParseZ2mAvailability(" online\n"));
  for (std::string_view bad : {"", "ONLINE", "true", "{\"state\":true}", "{\"online\":1}", "[]"}) {
    EXPECT_FALSE(ParseZ2mAvailability(bad).ok()) << bad;
  }
}

// The fuzz target's seeds through the parsers, on every build.
TEST(Z2mStateMapper, FuzzSeedsKeepTheInvariants) {
  std::vector<Z2mFieldSeries> series = SeriesOf(0);
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(WATTLINE_Z2M_FUZZ_CORPUS)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    const std::string input = contents.str();
    (void)ParseZ2mDeviceList(input);
    (void)ParseZ2mAvailability(input);
    for (const std::vector<Z2mFieldSeries>* plan :
         {&series, static_cast<decltype(&series)>(nullptr)}) {
      Samples samples;
      size_t added = 0;
      (void)MapZ2mState(input, plan, "fuzz", kNow, &samples, &added);
      EXPECT_EQ(added, samples.size()) << entry.path();
      for (const Sample& sample : samples) {
        EXPECT_TRUE(ValidateCanonical(sample.labels).ok()) << entry.path();
        EXPECT_TRUE(std::isfinite(sample.value)) << entry.path();
      }
    }
    ++seeds;
  }
  EXPECT_GE(seeds, 9);
}

}  // namespace
}  // namespace wattline::agent
