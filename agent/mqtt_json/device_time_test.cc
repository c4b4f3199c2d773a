#include "agent/mqtt_json/device_time.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace wattline::agent {
namespace {

DeviceTimeZone Utc() { return {DeviceTimeZone::Kind::kUtc, 0}; }

TEST(DeviceTime, ReadsZonesFractionsAndZoneLessTimes) {
  // 2026-07-27T07:41:41Z = 1785138101 s.
  EXPECT_EQ(*ParseIso8601Ms("2026-07-27T09:41:41+02:00", Utc()), 1785138101000);
  EXPECT_EQ(*ParseIso8601Ms("2026-07-27T07:41:41Z", Utc()), 1785138101000);
  EXPECT_EQ(*ParseIso8601Ms("2026-07-27T07:41:41.5Z", Utc()), 1785138101500);
  EXPECT_EQ(*ParseIso8601Ms("2026-07-27T07:41:41.123456Z", Utc()), 1785138101123);
  EXPECT_EQ(*ParseIso8601Ms("2026-07-27 02:41:41-0500", Utc()), 1785138101000);
  EXPECT_EQ(*ParseIso8601Ms("2026-07-27T07:41:41", Utc()), 1785138101000);
  EXPECT_EQ(*ParseIso8601Ms("2026-07-27T08:41:41", *ParseDeviceTimeZone("+01:00")), 1785138101000);
  EXPECT_EQ(*ParseIso8601Ms("2024-02-29T00:00:00Z", Utc()), 1709164800000);
}

TEST(DeviceTime, LocalZoneFollowsTz) {
  const char* old = std::getenv("TZ");
  std::string saved = old != nullptr ? old : "";
  setenv("TZ", "Europe/Berlin", 1);
  tzset();
  // Tasmota's "Time" of the capture in tasmota_energy.yaml, read as CET.
  Result<int64_t> winter = ParseIso8601Ms("2022-01-11T21:57:38", DeviceTimeZone{});
  Result<int64_t> summer = ParseIso8601Ms("2026-07-27T09:41:41", DeviceTimeZone{});
  if (old != nullptr) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  ASSERT_TRUE(winter.ok());
  ASSERT_TRUE(summer.ok());
  if (*summer == 1785145301000) GTEST_SKIP() << "no zone data for Europe/Berlin (tzdata)";
  EXPECT_EQ(*winter, 1641934658000);  // 20:57:38Z
  EXPECT_EQ(*summer, 1785138101000);  // CEST
}

TEST(DeviceTime, RefusesWhatIsNotADateAndTime) {
  for (std::string_view bad :
       {"", "2026-07-27", "2026-07-27T25:00:00", "2026-02-30T00:00:00", "1969-12-31T23:59:59Z",
        "2026-07-27T07:41:41+", "2026-07-27T07:41:41Zjunk", "2026-07-27T07:41:41.Z",
        "20260727T074141Z", "yesterday"}) {
    EXPECT_FALSE(ParseIso8601Ms(bad, Utc()).ok()) << bad;
  }
}

TEST(DeviceTime, ParsesZoneNames) {
  EXPECT_EQ(ParseDeviceTimeZone("local")->kind, DeviceTimeZone::Kind::kLocal);
  EXPECT_EQ(ParseDeviceTimeZone("utc")->kind, DeviceTimeZone::Kind::kUtc);
  EXPECT_EQ(ParseDeviceTimeZone("-05:30")->offset_minutes, -330);
  EXPECT_EQ(DeviceTimeZoneName(*ParseDeviceTimeZone("-05:30")), "-05:30");
  EXPECT_FALSE(ParseDeviceTimeZone("CET").ok());
  EXPECT_FALSE(ParseDeviceTimeZone("+25:00").ok());
}

}  // namespace
}  // namespace wattline::agent
