// The query engine over a real SampleStore, for what the compatibility suite
// (tests/promql/, which asks a real Prometheus the same queries) cannot
// check: Wattline's energy functions (docs/promql-extensions.md), @ and
// subqueries around them, error codes and result order. Expected values are
// worked out by hand from the samples engine_test_store.cc describes and
// from Prometheus 2.42's documented semantics.
#include "aggregator/query/engine.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "aggregator/query/engine_test_store.h"

namespace wattline::aggregator {
namespace {

using Doubles = std::vector<double>;
using Strings = std::vector<std::string>;
using Times = std::vector<int64_t>;

// --- increase_exact and integrate ---------------------------------------

TEST_F(EngineOverStore, HourlyIncreaseExactAddsUpToTheDay) {
  // Each hour (H - 1h, H] holds 360 samples at :03, :13, ..., :53 and
  // starts from the sample 7 s before it: 360 steps of 2 Wh. Two hours
  // differ by the sample at 06:00:00 (the hour to 06:00 ends on it, +1;
  // the next starts from it, 1 less) and one by the restart at 13:03:13,
  // which adds 1 (the new count) where 2 was due.
  const Series hours = RangeSeries("increase_exact(energy_watt_hours_total[1h])", kMidnight + kHour,
                                   kMidnight + kDay, kHour);
  EXPECT_EQ(LabelsToString(hours.metric), "{device=\"meter\"}");
  std::vector<double> expected(24, 720);
  expected[5] = 721;   // (05:00, 06:00]
  expected[6] = 719;   // (06:00, 07:00]
  expected[13] = 719;  // (13:00, 14:00]
  EXPECT_EQ(ValuesOf(hours), expected);
  std::vector<int64_t> times;
  for (int h = 1; h <= 24; ++h) times.push_back(kMidnight + h * kHour);
  EXPECT_EQ(TimesOf(hours), times);

  // The day: 8640 steps of 2 Wh, less the 1 the restart lost.
  const double day = InstantValue("increase_exact(energy_watt_hours_total[1d])", kMidnight + kDay);
  EXPECT_EQ(day, 17279);
  double sum = 0;
  for (double hour : ValuesOf(hours)) sum += hour;
  EXPECT_EQ(sum, day);
}

TEST_F(EngineOverStore, IncreaseExactStartsFromTheSampleBeforeTheWindowWithinTheLookback) {
  // The window (kMidnight + 1h, kMidnight + 2h] holds 130 and 150. The sample of 100
  // before it counts when it is at most 5 minutes older than the start (the
  // lookback delta, both ends included as for selectors); older, the
  // window counts from its own first sample.
  const Vector increases = InstantVector("increase_exact(base_counter[1h])", kMidnight + 2 * kHour);
  EXPECT_EQ(MetricsOf(increases),
            (Strings{"{case=\"edge\"}", "{case=\"far\"}", "{case=\"near\"}"}));
  EXPECT_EQ(ValuesOf(increases), (Doubles{50, 20, 50}));

  // A window with no sample after its base gives nothing.
  EXPECT_TRUE(InstantVector("increase_exact(base_counter[1h])", kMidnight + 3 * kHour).empty());
}

TEST_F(EngineOverStore, ChangeAcrossASilenceLongerThanTheLookbackIsInNoHourlyWindow) {
  // base_counter{case="far"}: 100 at 0:54, then 130 at 1:02. The hour to
  // 1:00 has nothing after its base; the hour to 2:00 starts from 130. The
  // two hours' window holds both samples and counts the 30 between them.
  const Series hours = RangeSeries("increase_exact(base_counter{case=\"far\"}[1h])",
                                   kMidnight + kHour, kMidnight + 2 * kHour, kHour);
  EXPECT_EQ(TimesOf(hours), (Times{kMidnight + 2 * kHour}));
  EXPECT_EQ(ValuesOf(hours), (Doubles{20}));
  EXPECT_EQ(InstantValue("increase_exact(base_counter{case=\"far\"}[2h])", kMidnight + 2 * kHour),
            50);
}

TEST_F(EngineOverStore, IntegrateCountsTheSegmentFromTheSampleBeforeTheWindow) {
  // 1000 W from kMidnight + 1h - 4m: the segment to kMidnight + 1h + 1m (5 minutes, not
  // a gap) and the next 5 minutes: 1000 W * 600 s.
  EXPECT_EQ(InstantValue("integrate(base_power[1h])", kMidnight + 2 * kHour), 600'000);
}

TEST_F(EngineOverStore, IntegrateOfConstantPowerAndOfARamp) {
  // (kMidnight, kMidnight + 1h] from the sample at kMidnight: 1000 W * 3600 s; the ramp's
  // watts are its seconds, so its integral is 3600^2 / 2, which the
  // trapezoid rule gives exactly.
  const Vector first = InstantVector("integrate(power_watts[1h])", kMidnight + kHour);
  EXPECT_EQ(MetricsOf(first), (Strings{"{device=\"heater\"}", "{device=\"ramp\"}"}));
  EXPECT_EQ(ValuesOf(first), (Doubles{3.6e6, 6'480'000}));
  EXPECT_EQ(
      InstantValue("integrate(power_watts{device=\"heater\"}[1h]) / 3.6e6", kMidnight + kHour), 1);

  // The second hour of the ramp: (7200^2 - 3600^2) / 2; the two hours add
  // up to the integral over both.
  const Series ramp = RangeSeries("integrate(power_watts{device=\"ramp\"}[1h])", kMidnight + kHour,
                                  kMidnight + 2 * kHour, kHour);
  EXPECT_EQ(ValuesOf(ramp), (Doubles{6'480'000, 19'440'000}));
  EXPECT_EQ(InstantValue("integrate(power_watts{device=\"ramp\"}[2h])", kMidnight + 2 * kHour),
            25'920'000);
}

TEST_F(EngineOverStore, ExtensionWindowsMoveWithOffsetAndAt) {
  // offset 1h at 07:00 reads (05:00, 06:00], which ends on the 06:00:00
  // sample; at 08:00 it reads (06:00, 07:00], which starts from it.
  EXPECT_EQ(
      InstantValue("increase_exact(energy_watt_hours_total[1h] offset 1h)", kMidnight + 7 * kHour),
      721);
  EXPECT_EQ(
      InstantValue("increase_exact(energy_watt_hours_total[1h] offset 1h)", kMidnight + 8 * kHour),
      719);
  const Series ramp = RangeSeries("integrate(power_watts{device=\"ramp\"}[1h] offset 1h)",
                                  kMidnight + 2 * kHour, kMidnight + 3 * kHour, kHour);
  EXPECT_EQ(ValuesOf(ramp), (Doubles{6'480'000, 19'440'000}));

  // @ pins the window whatever the step.
  const Series pinned =
      RangeSeries("increase_exact(energy_watt_hours_total[1h] " + At(kMidnight + 7 * kHour) + ")",
                  kMidnight + 10 * kHour, kMidnight + 12 * kHour, kHour);
  EXPECT_EQ(ValuesOf(pinned), (Doubles{719, 719, 719}));
}

TEST_F(EngineOverStore, ExtensionBaseFollowsTheEnginesLookbackDelta) {
  // With a 10-minute lookback the sample 6 minutes before the window is its
  // base too.
  Engine engine(store_.get(), &clock_, QueryLimits{}, 10 * kMinute);
  Result<QueryValue> value =
      InstantOn(engine, "increase_exact(base_counter{case=\"far\"}[1h])", kMidnight + 2 * kHour);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(ValuesOf(std::get<Vector>(*value)), (Doubles{50}));
}

TEST_F(EngineOverStore, IntegrateOfOnlyAGapIsZero) {
  // base_counter{case="far"} read as a gauge: in (kMidnight + 1h, kMidnight + 2h] it
  // starts from 130 at 1h02m; its one segment, to 1h30m, is a 28-minute gap.
  EXPECT_EQ(InstantValue("integrate(base_counter{case=\"far\"}[1h])", kMidnight + 2 * kHour), 0);
}

TEST_F(EngineOverStore, ExtensionWindowWithNegativeOffset) {
  // offset -1h at 05:00 reads (05:00, 06:00].
  EXPECT_EQ(
      InstantValue("increase_exact(energy_watt_hours_total[1h] offset -1h)", kMidnight + 5 * kHour),
      721);
}

TEST_F(EngineOverStore, ExtensionOfASubqueryIsTheSameInInstantAndRangeQueries) {
  // The subquery's points are at multiples of 7 minutes: kMidnight + 59m, 66m,
  // ..., 115m. The window (kMidnight + 1h, kMidnight + 2h] holds 66m..115m; its base is
  // the point at 59m, 1 minute before its start: 115 - 59. (Evaluating the
  // subquery over the window alone gave 49 in an instant query.)
  const std::string query = "increase_exact(minutes_since_midnight[1h:7m])";
  const double instant = InstantValue(query, kMidnight + 2 * kHour);
  const Series range = RangeSeries(query, kMidnight + kHour, kMidnight + 2 * kHour, kHour);
  ASSERT_EQ(range.points.size(), 2u);
  EXPECT_EQ(range.points[1].value, instant);
  EXPECT_EQ(instant, 56);
}

// --- @, subqueries, step invariance ------------------------------------------

TEST_F(EngineOverStore, AtStartAndEndGiveTheSameValueAtEveryStep) {
  const Series start = RangeSeries("minutes_since_midnight @ start()", kMidnight + kHour,
                                   kMidnight + 2 * kHour, 15 * kMinute);
  EXPECT_EQ(ValuesOf(start), (Doubles{60, 60, 60, 60, 60}));
  EXPECT_EQ(TimesOf(start),
            (Times{kMidnight + 60 * kMinute, kMidnight + 75 * kMinute, kMidnight + 90 * kMinute,
                   kMidnight + 105 * kMinute, kMidnight + 120 * kMinute}));
  const Series end = RangeSeries("minutes_since_midnight @ end()", kMidnight + kHour,
                                 kMidnight + 2 * kHour, 15 * kMinute);
  EXPECT_EQ(ValuesOf(end), (Doubles{120, 120, 120, 120, 120}));
}

TEST_F(EngineOverStore, AtTimeWithOffsetReadsBeforeThatTime) {
  const std::string query = "minutes_since_midnight " + At(kMidnight + 3 * kHour) + " offset 1h";
  EXPECT_EQ(InstantValue(query, kMidnight + 10 * kHour), 120);
  const Series series = RangeSeries(query, kMidnight, kMidnight + 2 * kHour, kHour);
  EXPECT_EQ(ValuesOf(series), (Doubles{120, 120, 120}));
  // On a subquery likewise: its range ends an hour before the @ time.
  const Series subquery = RangeSeries(
      "max_over_time(minutes_since_midnight[10m:1m] " + At(kMidnight + 3 * kHour) + " offset 1h)",
      kMidnight, kMidnight + 2 * kHour, kHour);
  EXPECT_EQ(ValuesOf(subquery), (Doubles{120, 120, 120}));
  const Series start = RangeSeries("max_over_time(minutes_since_midnight[10m:1m] @ start())",
                                   kMidnight + kHour, kMidnight + 2 * kHour, 30 * kMinute);
  EXPECT_EQ(ValuesOf(start), (Doubles{60, 60, 60}));
}

TEST_F(EngineOverStore, SubqueryStepsAreMultiplesOfTheirStep) {
  // [kMidnight + 51m, kMidnight + 61m] at multiples of 2 minutes.
  Matrix two = InstantMatrix("minutes_since_midnight[10m:2m]", kMidnight + 61 * kMinute);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(LabelsToString(two[0].metric), "minutes_since_midnight{}");
  EXPECT_EQ(ValuesOf(two[0]), (Doubles{52, 54, 56, 58, 60}));
  EXPECT_EQ(TimesOf(two[0]),
            (Times{kMidnight + 52 * kMinute, kMidnight + 54 * kMinute, kMidnight + 56 * kMinute,
                   kMidnight + 58 * kMinute, kMidnight + 60 * kMinute}));

  // Without a step, every minute: [kMidnight + 55m30s, kMidnight + 60m30s].
  Matrix minute =
      InstantMatrix("minutes_since_midnight[5m:]", kMidnight + 60 * kMinute + 30 * kSecond);
  ASSERT_EQ(minute.size(), 1u);
  EXPECT_EQ(ValuesOf(minute[0]), (Doubles{56, 57, 58, 59, 60}));

  // Multiples of 7 minutes since the epoch fall 3 minutes after kMidnight's hours
  // (kMidnight is 28,332,000 minutes, 4 past a multiple of 7), not on the query's
  // time.
  Matrix seven = InstantMatrix("minutes_since_midnight[30m:7m]", kMidnight + kHour);
  ASSERT_EQ(seven.size(), 1u);
  EXPECT_EQ(ValuesOf(seven[0]), (Doubles{31, 38, 45, 52, 59}));
  const Series max = RangeSeries("max_over_time(minutes_since_midnight[1h:7m])", kMidnight + kHour,
                                 kMidnight + 2 * kHour, kHour);
  EXPECT_EQ(ValuesOf(max), (Doubles{59, 115}));

  // offset moves the range; the points keep the times they were taken at.
  Matrix offset = InstantMatrix("minutes_since_midnight[10m:5m] offset 1h", kMidnight + 2 * kHour);
  ASSERT_EQ(offset.size(), 1u);
  EXPECT_EQ(TimesOf(offset[0]),
            (Times{kMidnight + 50 * kMinute, kMidnight + 55 * kMinute, kMidnight + 60 * kMinute}));
  EXPECT_EQ(ValuesOf(offset[0]), (Doubles{50, 55, 60}));
}

TEST_F(EngineOverStore, RateOfASubquery) {
  // Points 55..60 at kMidnight + 55m..60m, both ends of the window: an increase
  // of 5 over 300 s, which extrapolation leaves as it is.
  EXPECT_NEAR(InstantValue("rate(minutes_since_midnight[5m:1m])", kMidnight + kHour), 1.0 / 60,
              1e-12);
}

TEST_F(EngineOverStore, StepInvariantExpressionsRepeatTheirValue) {
  // The window is pinned at kMidnight + 1h, so deriv() and the subquery are the
  // same at every step.
  const std::string pinned_window = "minutes_since_midnight[10m] " + At(kMidnight + kHour);
  const Series deriv = RangeSeries("deriv(" + pinned_window + ")", kMidnight + 2 * kHour,
                                   kMidnight + 4 * kHour, kHour);
  ASSERT_EQ(deriv.points.size(), 3u);
  for (const SamplePoint& point : deriv.points) EXPECT_NEAR(point.value, 1.0 / 60, 1e-12);
  const Series max =
      RangeSeries("max_over_time(minutes_since_midnight[1h:10m] " + At(kMidnight + 3 * kHour) + ")",
                  kMidnight + 5 * kHour, kMidnight + 7 * kHour, kHour);
  EXPECT_EQ(ValuesOf(max), (Doubles{180, 180, 180}));

  // predict_linear predicts from the step's time, not the window's: the
  // line through the window is (t - kMidnight) / 60 s, plus 600 s of slope.
  const Series predicted = RangeSeries("predict_linear(" + pinned_window + ", 600)",
                                       kMidnight + 2 * kHour, kMidnight + 4 * kHour, kHour);
  ASSERT_EQ(predicted.points.size(), 3u);
  EXPECT_NEAR(predicted.points[0].value, 130, 1e-6);
  EXPECT_NEAR(predicted.points[1].value, 190, 1e-6);
  EXPECT_NEAR(predicted.points[2].value, 250, 1e-6);

  // time() too is the step's.
  const Series plus_time =
      RangeSeries("minutes_since_midnight " + At(kMidnight + kHour) + " + time()",
                  kMidnight + 2 * kHour, kMidnight + 3 * kHour, kHour);
  EXPECT_EQ(ValuesOf(plus_time),
            (Doubles{60.0 + static_cast<double>((kMidnight + 2 * kHour) / 1000),
                     60.0 + static_cast<double>((kMidnight + 3 * kHour) / 1000)}));
}

// --- errors ---------------------------------------------------------------

TEST_F(EngineOverStore, MatchingAndDuplicateLabelSetsAreFailedPrecondition) {
  const auto engine = MakeEngine();
  struct Case {
    const char* query;
    const char* message;  // a part of it
  };
  const Case cases[] = {
      {"power_watts + on() power_watts",
       "];many-to-many matching not allowed: matching labels must be unique on one side"},
      {"power_watts + on() minutes_since_midnight",
       "multiple matches for labels: many-to-one matching must be explicit "
       "(group_left/group_right)"},
      // The heater's power and voltage differ only by name.
      {"abs({device=\"heater\"})", kSameLabelset},
      {"{device=\"heater\"} * 2", kSameLabelset},
      {"-{device=\"heater\"}", kSameLabelset},
      {"rate({device=\"heater\"}[5m])", kSameLabelset},
  };
  for (const Case& c : cases) {
    Result<QueryValue> instant = InstantOn(*engine, c.query, kMidnight + kHour);
    ASSERT_FALSE(instant.ok()) << c.query;
    EXPECT_EQ(instant.status().code(), Status::Code::kFailedPrecondition) << c.query;
    EXPECT_NE(instant.status().message().find(c.message), std::string::npos)
        << c.query << ": " << instant.status().message();
    Result<Matrix> range =
        RangeOn(*engine, c.query, kMidnight + kHour, kMidnight + 2 * kHour, kMinute);
    ASSERT_FALSE(range.ok()) << c.query;
    EXPECT_EQ(range.status().code(), Status::Code::kFailedPrecondition) << c.query;
  }
}

TEST_F(EngineOverStore, ScalarRangeQueryIsOneSeriesWithoutLabels) {
  const Series series = RangeSeries("time()", kMidnight, kMidnight + 2 * kMinute, kMinute);
  EXPECT_TRUE(series.metric.empty());
  EXPECT_EQ(ValuesOf(series),
            (Doubles{kMidnight / 1000, kMidnight / 1000 + 60, kMidnight / 1000 + 120}));
}

// --- order ----------------------------------------------------------------

TEST_F(EngineOverStore, InstantVectorKeepsTheOrderOfSortAndTopk) {
  const int64_t t = kMidnight + kHour;
  EXPECT_EQ(ValuesOf(InstantVector("room_celsius", t)), (Doubles{30, 18, 12, 21}));
  EXPECT_EQ(MetricsOf(InstantVector("sort(room_celsius)", t)),
            (Strings{"room_celsius{room=\"cellar\"}", "room_celsius{room=\"bedroom\"}",
                     "room_celsius{room=\"kitchen\"}", "room_celsius{room=\"attic\"}"}));
  EXPECT_EQ(ValuesOf(InstantVector("sort(room_celsius)", t)), (Doubles{12, 18, 21, 30}));
  EXPECT_EQ(ValuesOf(InstantVector("sort_desc(room_celsius)", t)), (Doubles{30, 21, 18, 12}));
  EXPECT_EQ(ValuesOf(InstantVector("topk(3, room_celsius)", t)), (Doubles{30, 21, 18}));
  EXPECT_EQ(ValuesOf(InstantVector("bottomk(2, room_celsius)", t)), (Doubles{12, 18}));
}

TEST_F(EngineOverStore, RangeResultIsSortedByLabels) {
  const std::vector<std::string> by_name = {
      "room_celsius{room=\"attic\"}", "room_celsius{room=\"bedroom\"}",
      "room_celsius{room=\"cellar\"}", "room_celsius{room=\"kitchen\"}"};
  for (const char* query : {"sort(room_celsius)", "sort_desc(room_celsius)",
                            "topk(4, room_celsius)", "bottomk(4, room_celsius)"}) {
    const Matrix matrix = Range(query, kMidnight + kHour, kMidnight + kHour + 2 * kMinute, kMinute);
    EXPECT_EQ(MetricsOf(matrix), by_name) << query;
    // A range query of one step too.
    const Matrix one_step = Range(query, kMidnight + kHour, kMidnight + kHour, kMinute);
    EXPECT_EQ(MetricsOf(one_step), by_name) << query;
  }
}

}  // namespace
}  // namespace wattline::aggregator
