#include "agent/sources/device_online.h"

#include <gtest/gtest.h>

namespace wattline::agent {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

TEST(DeviceOnline, SampleIsCanonicalAndOneOrZero) {
  const Sample online = DeviceOnlineSample("garage", true, kNow);
  EXPECT_EQ(LabelsToString(online.labels), R"(device_online{device="garage"})");
  EXPECT_TRUE(ValidateCanonical(online.labels).ok());
  EXPECT_EQ(online.value, 1);
  EXPECT_EQ(online.timestamp_ms, kNow);
  const Sample offline = DeviceOnlineSample("garage", false, kNow + 1);
  EXPECT_EQ(offline.labels, online.labels);
  EXPECT_EQ(offline.value, 0);
  EXPECT_EQ(offline.timestamp_ms, kNow + 1);
}

// Zigbee2MQTT friendly names may hold anything; label values take any UTF-8.
TEST(DeviceOnline, DeviceWithSpacesAndQuotesStaysOneLabelValue) {
  const Sample sample = DeviceOnlineSample("Kitchen \"plug\" 2", true, kNow);
  EXPECT_TRUE(ValidateCanonical(sample.labels).ok());
  ASSERT_EQ(sample.labels.size(), 2u);
  EXPECT_EQ(sample.labels[1].value, "Kitchen \"plug\" 2");
}

}  // namespace
}  // namespace wattline::agent
