#include "aggregator/energy/schedule.h"

#include <gtest/gtest.h>

namespace wattline::aggregator {
namespace {

TimeZone Zone(const char* name) {
  Result<TimeZone> zone = TimeZone::Load(name);
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  return *zone;
}

TEST(LocalTime, FollowsDaylightSavingInEurope) {
  const TimeZone london = Zone("Europe/London");
  // 2026-03-29 01:00 GMT the clocks go to 02:00 BST.
  const int64_t before = london.ToUnixMs(2026, 3, 29, 0 * 60 + 59);
  const int64_t after = london.ToUnixMs(2026, 3, 29, 2 * 60);
  EXPECT_EQ(after - before, 60 * 1000);
  EXPECT_EQ(london.ToLocal(after).minute_of_day, 120);
  // A local time the clocks skip is the instant they moved.
  EXPECT_EQ(london.ToUnixMs(2026, 3, 29, 60 + 30), after);
  // 2026-10-25 01:30 happens twice; the first is meant.
  EXPECT_EQ(london.ToUnixMs(2026, 10, 25, 90), london.ToUnixMs(2026, 10, 25, 0) + 90 * 60 * 1000);
  const LocalDateTime tuesday = london.ToLocal(1'794'873'600'000);  // 2026-11-17T00:00Z
  EXPECT_EQ(tuesday.weekday, 1);
  EXPECT_EQ(tuesday.day, 17);
}

TEST(LocalTime, UnknownZoneIsAnError) {
  Result<TimeZone> zone = TimeZone::Load("Mars/Olympus_Mons");
  ASSERT_FALSE(zone.ok());
  EXPECT_NE(zone.status().message().find("Mars/Olympus_Mons"), std::string::npos);
}

TEST(ScheduleSyntax, ReadsMonthsDaysAndHours) {
  EXPECT_EQ(*ParseMonths("oct-mar"), 0b1110'0000'0111);
  EXPECT_EQ(*ParseMonths("jun, Jul,aug"), 0b0000'1110'0000);
  EXPECT_EQ(*ParseMonths("all"), 0xfff);
  EXPECT_EQ(*ParseWeekdays("mon-fri"), 0b0011111);
  EXPECT_EQ(*ParseWeekdays("sat,sun"), 0b1100000);
  EXPECT_EQ(*ParseWeekdays("fri-mon"), 0b1110001);
  TimeWindow window;
  ASSERT_TRUE(ParseHours("22:00-06:30", &window).ok());
  EXPECT_EQ(window.start_minute, 22 * 60);
  EXPECT_EQ(window.end_minute, 6 * 60 + 30);
  ASSERT_TRUE(ParseHours("00:00-24:00", &window).ok());
  EXPECT_EQ(window.end_minute, 1440);
}

TEST(ScheduleSyntax, RefusesWhatItCannotRead) {
  EXPECT_FALSE(ParseMonths("october-march").ok());
  EXPECT_FALSE(ParseMonths("").ok());
  EXPECT_FALSE(ParseWeekdays("weekdays").ok());
  TimeWindow window;
  for (const char* bad : {"16-19", "16:00", "25:00-01:00", "10:60-11:00", "10:00-10:00",
                          "24:00-01:00", "1:00-2:00x"}) {
    EXPECT_FALSE(ParseHours(bad, &window).ok()) << bad;
  }
}

TEST(TimeWindow, AWindowPastMidnightBelongsToTheDayItStarts) {
  TimeWindow friday_night{0xfff, 1 << 4, 22 * 60, 6 * 60, 1.0};
  LocalDateTime at{2026, 11, 20, 4, 23 * 60};  // Friday 23:00
  EXPECT_TRUE(friday_night.Contains(at));
  at = {2026, 11, 21, 5, 5 * 60};  // Saturday 05:00
  EXPECT_TRUE(friday_night.Contains(at));
  at = {2026, 11, 21, 5, 23 * 60};  // Saturday 23:00
  EXPECT_FALSE(friday_night.Contains(at));
  at = {2026, 11, 20, 4, 5 * 60};  // Friday 05:00: Thursday night's
  EXPECT_FALSE(friday_night.Contains(at));
  // The small hours of 1 April belong to a March window.
  TimeWindow march_nights{1 << 2, 0x7f, 23 * 60, 2 * 60, 1.0};
  at = {2026, 4, 1, 2, 60};
  EXPECT_TRUE(march_nights.Contains(at));
}

TEST(Schedule, PeriodsAndWindowsGiveTheValueInEffect) {
  const TimeZone berlin = Zone("Europe/Berlin");
  const int64_t jan = berlin.ToUnixMs(2026, 1, 1);
  const int64_t jul = berlin.ToUnixMs(2026, 7, 1);
  Schedule schedule({{jan, 0.30, {TimeWindow{0xfff, 0x7f, 0, 6 * 60, 0.10}}},
                     {jul, 0.25, {TimeWindow{0xfff, 0b0011111, 17 * 60, 20 * 60, 0.40}}}});
  EXPECT_FALSE(schedule.ValueAt(berlin, jan - 1).has_value());
  EXPECT_EQ(*schedule.ValueAt(berlin, jan), 0.10);
  EXPECT_EQ(*schedule.ValueAt(berlin, jan + 6 * 3600'000 - 1), 0.10);
  EXPECT_EQ(*schedule.ValueAt(berlin, jan + 6 * 3600'000), 0.30);
  EXPECT_EQ(*schedule.ValueAt(berlin, jul - 1), 0.30);
  // 2026-07-01 is a Wednesday: 17:00 local is 15:00Z in summer time.
  EXPECT_EQ(*schedule.ValueAt(berlin, jul + 17 * 3600'000), 0.40);
  EXPECT_EQ(*schedule.ValueAt(berlin, jul + 3 * 3600'000), 0.25);
  // Saturday 2026-07-04, 18:00: no weekday window.
  EXPECT_EQ(*schedule.ValueAt(berlin, berlin.ToUnixMs(2026, 7, 4, 18 * 60)), 0.25);
}

}  // namespace
}  // namespace wattline::aggregator
