#include "agent/mqtt_json/mqtt_json_source.h"

#include <gtest/gtest.h>

#include <map>

#include "agent/mqtt_json/mqtt_json_test_util.h"
#include "agent/mqtt_json/mqtt_source_test_fixture.h"

namespace wattline::agent {
namespace {

using testing::ByName;

class MqttJsonSourceTest : public testing::MqttSourceTest {
 protected:
  void MakeSource(std::string_view profile, std::string_view yaml) {
    Result<MqttJsonMapping> mapping = testing::ReadMapping(profile, yaml);
    ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
    source_ = std::make_unique<MqttJsonSource>(std::move(*mapping), client_.get(), &clock_, Sink());
  }
};

TEST_F(MqttJsonSourceTest, TasmotaThroughARealBroker) {
  // The will, retained before the agent subscribes; a reading retained from
  // before (skipped: its age is unknown).
  Publish("tele/kitchen-plug/LWT", "Online", /*retained=*/true);
  Publish("tele/kitchen-plug/SENSOR", R"({"ENERGY":{"Power":999}})", /*retained=*/true);
  MakeSource("tasmota_energy", "timestamp_path: \"\"\n");
  StartAndSync();
  Publish("tele/kitchen-plug/SENSOR",
          R"({"Time":"2022-01-11T21:57:38","ENERGY":{"Total":3.705,"Power":5,"Voltage":233}})");
  Publish("tele/kitchen-plug/STATE", R"({"POWER":"ON"})");
  Publish("tele/kitchen-plug/SENSOR", "garbage");
  Sync();
  const std::map<std::string, double> expected = {
      {R"(device_online{device="kitchen-plug"})", 1},
      {R"(power_watts{device="kitchen-plug"})", 5},
      {R"(voltage_volts{device="kitchen-plug"})", 233},
      {R"(energy_imported_watt_hours_total{device="kitchen-plug"})", 3.705 * 1000},
  };
  EXPECT_EQ(ByName(received_), expected);
  ASSERT_EQ(received_.size(), expected.size()) << "the retained reading must not come through";
  for (const Sample& sample : received_) EXPECT_EQ(sample.timestamp_ms, clock_.NowUnixMs());

  const DeviceHealth* health = Health("kitchen-plug");
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->polls, 3u) << "LWT, the reading and the garbage; not STATE";
  EXPECT_EQ(health->errors, 1u);
  EXPECT_EQ(health->errors_by_reason.at("malformed"), 1u);
  EXPECT_EQ(health->samples, 4u);
  EXPECT_EQ(health->last_success_unix_ms, clock_.NowUnixMs());
  EXPECT_EQ(health->last_latency_ms, -1);
}

TEST_F(MqttJsonSourceTest, OpenDtuPerValueTopicsAndAStoppedSourceIsSilent) {
  MakeSource("opendtu", "");
  StartAndSync();
  Publish("solar/116181234567/0/power", "123.4");
  Publish("solar/116181234567/1/power", "60.2");
  Sync();
  EXPECT_EQ(ByName(received_), (std::map<std::string, double>{
                                   {R"(power_watts{device="116181234567"})", 123.4},
                                   {R"(dc_power_watts{device="116181234567",input="1"})", 60.2}}));
  source_->Stop();
  Publish("solar/116181234567/0/power", "99");
  Sync();
  EXPECT_EQ(received_.size(), 2u);
}

}  // namespace
}  // namespace wattline::agent
