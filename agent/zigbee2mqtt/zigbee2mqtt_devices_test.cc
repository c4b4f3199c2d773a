#include "agent/zigbee2mqtt/zigbee2mqtt_devices.h"

#include <gtest/gtest.h>

#include "agent/zigbee2mqtt/zigbee2mqtt_test_data.h"

namespace wattline::agent {
namespace {

TEST(Z2mDevices, ReadsAddressesNamesAndNumericExposes) {
  Result<std::vector<Z2mDevice>> devices = ParseZ2mDeviceList(testing::kBridgeDevices);
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  ASSERT_EQ(devices->size(), 4u) << "the coordinator is left out";
  const Z2mDevice& z1 = (*devices)[0];
  EXPECT_EQ(z1.ieee_address, "0xa4c138280528b031");
  EXPECT_EQ(z1.friendly_name, "z1");
  EXPECT_EQ(z1.model, "TS011F_plug_1");
  EXPECT_TRUE(z1.has_definition);
  std::vector<std::string> properties;
  for (const Z2mExpose& expose : z1.numeric_exposes) properties.push_back(expose.property);
  EXPECT_EQ(properties,
            (std::vector<std::string>{"power", "current", "voltage", "energy", "linkquality"}));
  EXPECT_EQ(z1.numeric_exposes[3].unit, "kWh");
  EXPECT_EQ(z1.numeric_exposes[3].access, 5);

  EXPECT_EQ((*devices)[1].friendly_name, "kitchen/floor_plug");
  EXPECT_EQ((*devices)[1].numeric_exposes[1].unit, "mA");
  // The composite's numeric feature is nested in the state, so not collected.
  for (const Z2mExpose& expose : (*devices)[2].numeric_exposes) EXPECT_NE(expose.property, "x");
  EXPECT_EQ((*devices)[2].numeric_exposes.size(), 8u);

  const Z2mDevice& unsupported = (*devices)[3];
  EXPECT_EQ(unsupported.friendly_name, "my_sensor");
  EXPECT_FALSE(unsupported.has_definition);
  EXPECT_TRUE(unsupported.numeric_exposes.empty());
}

TEST(Z2mDevices, FeaturesOfSpecificTypesAreCollectedWithTheirEndpoint) {
  Result<std::vector<Z2mDevice>> devices = ParseZ2mDeviceList(R"([{
    "ieee_address":"0x1","friendly_name":"thermostat","definition":{"model":"m","exposes":[
      {"type":"climate","features":[
        {"type":"numeric","name":"local_temperature","property":"local_temperature","access":5,"unit":"°C"},
        {"type":"numeric","name":"current_heating_setpoint","property":"current_heating_setpoint","access":7,"unit":"°C"}]},
      {"type":"numeric","name":"power","property":"power_l2","endpoint":"l2","access":5,"unit":"W"},
      {"type":"numeric","property":"no_name","unit":"W"},
      {"type":"numeric","name":"no_property","unit":"W"}]}}])");
  ASSERT_TRUE(devices.ok());
  const auto& exposes = (*devices)[0].numeric_exposes;
  ASSERT_EQ(exposes.size(), 4u);
  EXPECT_EQ(exposes[0].property, "local_temperature");
  EXPECT_EQ(exposes[1].access, 7);
  EXPECT_EQ(exposes[2].name, "power");
  EXPECT_EQ(exposes[2].endpoint, "l2");
  EXPECT_EQ(exposes[3].name, "no_name") << "a missing name is the property";
}

TEST(Z2mDevices, MalformedEntriesAreSkippedAndMalformedListsRefused) {
  Result<std::vector<Z2mDevice>> devices = ParseZ2mDeviceList(
      R"([1, "x", {"friendly_name":"no address"}, {"ieee_address":"0x2"},
          {"ieee_address":"0x3","friendly_name":"ok","definition":{"exposes":{"not":"a list"}}}])");
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ((*devices)[0].friendly_name, "ok");
  EXPECT_FALSE(ParseZ2mDeviceList("{\"not\":\"an array\"}").ok());
  EXPECT_FALSE(ParseZ2mDeviceList("[{").ok());
  EXPECT_FALSE(ParseZ2mDeviceList(std::string(kMaxZ2mDeviceListBytes + 1, ' ')).ok());
}

TEST(Z2mDevices, RenameNotices) {
  // The response documented for bridge/request/device/rename.
  auto response = ParseZ2mRenameResponse(
      R"({"data":{"from":"my_bulb","to":"my_bulb_new_name","homeassistant_rename":false},"status":"ok"})");
  ASSERT_TRUE(response.ok());
  ASSERT_TRUE(response->has_value());
  EXPECT_EQ((*response)->from, "my_bulb");
  EXPECT_EQ((*response)->to, "my_bulb_new_name");
  auto failed =
      ParseZ2mRenameResponse(R"({"data":{"from":"a","to":"b"},"status":"error","error":"exists"})");
  ASSERT_TRUE(failed.ok());
  EXPECT_FALSE(failed->has_value());

  auto event = ParseZ2mBridgeEvent(
      R"({"type":"device_renamed","data":{"from":"z1","to":"hall/plug","homeassistant_rename":false}})");
  ASSERT_TRUE(event.ok());
  ASSERT_TRUE(event->has_value());
  EXPECT_EQ((*event)->to, "hall/plug");
  auto joined = ParseZ2mBridgeEvent(
      R"({"type":"device_joined","data":{"friendly_name":"0x90fd9ffffe6494fc","ieee_address":"0x90fd9ffffe6494fc"}})");
  ASSERT_TRUE(joined.ok());
  EXPECT_FALSE(joined->has_value());
  EXPECT_FALSE(ParseZ2mBridgeEvent(R"({"type":"device_renamed","data":{"from":"a"}})").ok());
  EXPECT_FALSE(ParseZ2mBridgeEvent("[]").ok());
}

}  // namespace
}  // namespace wattline::agent
