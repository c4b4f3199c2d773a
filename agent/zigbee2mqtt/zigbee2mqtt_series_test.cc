#include "agent/zigbee2mqtt/zigbee2mqtt_series.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "agent/zigbee2mqtt/zigbee2mqtt_test_data.h"

namespace wattline::agent {
namespace {

// property -> (metric, scale, labels as text)
using Table = std::map<std::string, std::tuple<std::string, double, std::string>>;

Table ToTable(const std::vector<Z2mFieldSeries>& series) {
  Table table;
  for (const Z2mFieldSeries& s : series) {
    std::string labels;
    for (const Label& label : s.labels) labels += label.name + "=" + label.value + ";";
    table[s.property] = {s.metric, s.scale, labels};
  }
  return table;
}

std::vector<Z2mDevice> Devices() {
  Result<std::vector<Z2mDevice>> devices = ParseZ2mDeviceList(testing::kBridgeDevices);
  EXPECT_TRUE(devices.ok());
  return devices.ok() ? *devices : std::vector<Z2mDevice>{};
}

TEST(Z2mSeries, MeteringPlugExposesGiveUnitsInNamesAndWattHours) {
  std::optional<std::vector<Z2mFieldSeries>> series = SeriesForDevice(Devices()[0]);
  ASSERT_TRUE(series.has_value());
  EXPECT_EQ(ToTable(*series), (Table{
                                  {"power", {"power_watts", 1, ""}},
                                  {"current", {"current_amperes", 1, ""}},
                                  {"voltage", {"voltage_volts", 1, ""}},
                                  {"energy", {"energy_imported_watt_hours_total", 1000, ""}},
                                  {"linkquality", {"link_quality", 1, ""}},
                              }));
}

TEST(Z2mSeries, MilliampereAndPercentAreConverted) {
  std::optional<std::vector<Z2mFieldSeries>> series = SeriesForDevice(Devices()[1]);
  ASSERT_TRUE(series.has_value());
  EXPECT_EQ(ToTable(*series), (Table{
                                  {"power", {"power_watts", 1, ""}},
                                  {"current", {"current_amperes", 0.001, ""}},
                                  {"voltage", {"voltage_volts", 1, ""}},
                                  {"power_factor", {"power_factor", 0.01, ""}},
                              }));
}

TEST(Z2mSeries, SensorExposesSkipUnknownUnitsSettingsAndComposites) {
  std::optional<std::vector<Z2mFieldSeries>> series = SeriesForDevice(Devices()[2]);
  ASSERT_TRUE(series.has_value());
  EXPECT_EQ(ToTable(*series), (Table{
                                  {"battery", {"battery_ratio", 0.01, ""}},
                                  {"temperature", {"temperature_celsius", 1, ""}},
                                  {"humidity", {"humidity_ratio", 0.01, ""}},
                                  {"pressure", {"pressure_pascals", 100, ""}},
                                  {"voltage", {"voltage_volts", 0.001, ""}},
                                  {"linkquality", {"link_quality", 1, ""}},
                              }));
}

TEST(Z2mSeries, UnsupportedDeviceHasNoSeriesList) {
  EXPECT_FALSE(SeriesForDevice(Devices()[3]).has_value());
}

TEST(Z2mSeries, PhasesEndpointsAndOtherNames) {
  auto s = SeriesForExpose({"power_b", "power_b", "kW", "", 5});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->metric, "power_watts");
  EXPECT_EQ(s->scale, 1000);
  EXPECT_EQ(s->labels, (Labels{{"phase", "b"}}));

  s = SeriesForExpose({"energy_l1", "energy", "kWh", "l1", 5});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->property, "energy_l1");
  EXPECT_EQ(s->metric, "energy_imported_watt_hours_total");
  EXPECT_EQ(s->labels, (Labels{{"endpoint", "l1"}}));

  s = SeriesForExpose({"energy_today", "energy_today", "kWh", "", 1});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->metric, "energy_today_watt_hours") << "not a counter: no _total";
  EXPECT_EQ(s->scale, 1000);

  s = SeriesForExpose({"illuminance_lux", "illuminance_lux", "lx", "", 1});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->metric, "illuminance_lux");

  s = SeriesForExpose({"soil-moisture", "soil-moisture", "%", "", 1});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->metric, "soil_moisture_ratio");

  EXPECT_FALSE(SeriesForExpose({"power", "power", "A", "", 5}).has_value()) << "unit misfit";
  EXPECT_FALSE(SeriesForExpose({"co2", "co2", "ppm", "", 1}).has_value()) << "unknown unit";
  EXPECT_FALSE(SeriesForExpose({"temp_f", "temp_f", "\u00b0F", "", 1}).has_value());
  EXPECT_FALSE(SeriesForExpose({"countdown", "countdown", "s", "", 7}).has_value());
  EXPECT_FALSE(SeriesForExpose({"setpoint", "setpoint", "\u00b0C", "", 7}).has_value())
      << "a settable numeric is a setting";
  EXPECT_FALSE(SeriesForExpose({"action_rate", "action_rate", "", "", 1}).has_value());
  EXPECT_FALSE(SeriesForExpose({"9x", "9x", "W", "", 1}).has_value()) << "no metric name";
}

TEST(Z2mSeries, KnownFieldsWithoutExposesUseZigbee2MqttsUsualUnits) {
  EXPECT_EQ(SeriesForKnownField("energy")->scale, 1000);
  EXPECT_EQ(SeriesForKnownField("energy")->metric, "energy_imported_watt_hours_total");
  EXPECT_EQ(SeriesForKnownField("humidity")->scale, 0.01);
  EXPECT_EQ(SeriesForKnownField("power_factor")->scale, 1);
  EXPECT_EQ(SeriesForKnownField("current_c")->labels, (Labels{{"phase", "c"}}));
  EXPECT_FALSE(SeriesForKnownField("countdown").has_value());
  EXPECT_FALSE(SeriesForKnownField("state").has_value());
}

}  // namespace
}  // namespace wattline::agent
