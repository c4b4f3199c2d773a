// The engine's limits over a real SampleStore: QueryLimits.max_samples
// counts every value a query holds at once (ResourceExhausted), and the
// deadline, measured on the engine's clock, gives Unavailable. Prometheus's
// texts are compared in full: Grafana shows them.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "aggregator/query/engine.h"
#include "aggregator/query/engine_test_store.h"

namespace wattline::aggregator {
namespace {

using Doubles = std::vector<double>;

TEST_F(EngineOverStore, SelectorOverMoreSamplesThanTheLimitIsResourceExhausted) {
  // [kMidnight, kMidnight + 1d] holds 8640 regular samples and the one at 06:00:00.
  QueryLimits limits;
  limits.max_samples = 8640;
  Result<QueryValue> refused =
      InstantOn(*MakeEngine(limits), "energy_watt_hours_total[1d]", kMidnight + kDay);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(refused.status().message(), kTooManySamples);

  limits.max_samples = 8641;
  Result<QueryValue> allowed =
      InstantOn(*MakeEngine(limits), "energy_watt_hours_total[1d]", kMidnight + kDay);
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  ASSERT_TRUE(std::holds_alternative<Matrix>(*allowed));
  const Matrix& matrix = std::get<Matrix>(*allowed);
  ASSERT_EQ(matrix.size(), 1u);
  EXPECT_EQ(matrix[0].points.size(), 8641u);
}

TEST_F(EngineOverStore, LargeRangeQueryOfACheapExpressionIsResourceExhausted) {
  // vector(1) holds a sample per step: 11,001 steps pass a limit of 10,000
  // whatever else is counted; 101 steps stay well under it.
  QueryLimits limits;
  limits.max_samples = 10'000;
  const auto engine = MakeEngine(limits);
  Result<Matrix> refused =
      RangeOn(*engine, "vector(1)", kMidnight, kMidnight + 11'000 * kMinute, kMinute);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(refused.status().message(), kTooManySamples);

  Result<Matrix> allowed =
      RangeOn(*engine, "vector(1)", kMidnight, kMidnight + 100 * kMinute, kMinute);
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  ASSERT_EQ(allowed->size(), 1u);
  EXPECT_EQ((*allowed)[0].points.size(), 101u);
}

TEST_F(EngineOverStore, RangeQueryOfASelectorOverManyStepsIsResourceExhausted) {
  // A day at 10 s steps: 8641 points from 1446 samples read.
  QueryLimits limits;
  limits.max_samples = 5000;
  Result<Matrix> refused = RangeOn(*MakeEngine(limits), "minutes_since_midnight", kMidnight,
                                   kMidnight + kDay, 10 * kSecond);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(refused.status().message(), kTooManySamples);
  limits.max_samples = 20'000;
  Result<Matrix> allowed = RangeOn(*MakeEngine(limits), "minutes_since_midnight", kMidnight,
                                   kMidnight + kDay, 10 * kSecond);
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  ASSERT_EQ(allowed->size(), 1u);
  EXPECT_EQ((*allowed)[0].points.size(), 8641u);
}

TEST_F(EngineOverStore, SmallResultOfLargeIntermediatesIsResourceExhausted) {
  // One sample out, but 8641 read for their deviation; 1441 subquery points
  // (one per minute of the day) to take their maximum.
  QueryLimits limits;
  limits.max_samples = 1000;
  const auto tight = MakeEngine(limits);
  for (const char* query : {"stddev_over_time(energy_watt_hours_total[1d])",
                            "max_over_time(minutes_since_midnight[1d:1m])"}) {
    Result<QueryValue> refused = InstantOn(*tight, query, kMidnight + kDay);
    ASSERT_FALSE(refused.ok()) << query;
    EXPECT_EQ(refused.status().code(), Status::Code::kResourceExhausted) << query;
    EXPECT_EQ(refused.status().message(), kTooManySamples) << query;
  }

  limits.max_samples = 20'000;
  const auto roomy = MakeEngine(limits);
  Result<QueryValue> count =
      InstantOn(*roomy, "count_over_time(energy_watt_hours_total[1d])", kMidnight + kDay);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  ASSERT_EQ(std::get<Vector>(*count).size(), 1u);
  EXPECT_EQ(std::get<Vector>(*count)[0].value, 8641);
  Result<QueryValue> max =
      InstantOn(*roomy, "max_over_time(minutes_since_midnight[1d:1m])", kMidnight + kDay);
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  ASSERT_EQ(std::get<Vector>(*max).size(), 1u);
  EXPECT_EQ(std::get<Vector>(*max)[0].value, 1440);
}

TEST_F(EngineOverStore, HourAlignedWindowsReadRollupsNotSamples) {
  // count_over_time over a day on the hour reads 25 hour buckets, not the
  // 8641 samples; a second off the hour it must read the samples.
  QueryLimits limits;
  limits.max_samples = 1000;
  const auto tight = MakeEngine(limits);
  Result<QueryValue> on_the_hour =
      InstantOn(*tight, "count_over_time(energy_watt_hours_total[1d])", kMidnight + kDay);
  ASSERT_TRUE(on_the_hour.ok()) << on_the_hour.status().ToString();
  ASSERT_EQ(std::get<Vector>(*on_the_hour).size(), 1u);
  EXPECT_EQ(std::get<Vector>(*on_the_hour)[0].value, 8641);
  Result<QueryValue> off_the_hour =
      InstantOn(*tight, "count_over_time(energy_watt_hours_total[1d])", kMidnight + kDay + 1000);
  ASSERT_FALSE(off_the_hour.ok());
  EXPECT_EQ(off_the_hour.status().code(), Status::Code::kResourceExhausted);
}

TEST_F(EngineOverStore, SamplesCountOnlyWhileTheirValueIsAlive) {
  // Each term holds its subquery's 1441 points (and the samples read for
  // them) only until it is reduced to one sample: four terms fit in a limit
  // that their intermediates together would pass.
  const std::string term = "max_over_time(minutes_since_midnight[1d:1m])";
  QueryLimits limits;
  limits.max_samples = 4000;
  Result<QueryValue> sum = InstantOn(
      *MakeEngine(limits), term + " + " + term + " + " + term + " + " + term, kMidnight + kDay);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(ValuesOf(std::get<Vector>(*sum)), (Doubles{4 * 1440}));
}

TEST_F(EngineOverStore, QueryPastItsTimeoutIsUnavailable) {
  TickingClock ticking;
  QueryLimits limits;
  limits.timeout_ms = 60 * kSecond;
  const auto engine = MakeEngine(limits, &ticking);
  Result<QueryValue> timed_out = InstantOn(*engine, kSlowQuery, kMidnight + kDay);
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(timed_out.status().message(), kTimedOut);
  // A request may not lengthen the limit.
  Result<QueryValue> longer = InstantOn(*engine, kSlowQuery, kMidnight + kDay, kDay);
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.status().code(), Status::Code::kUnavailable);

  // Range queries check their deadline between steps too: vector(time())
  // over 11,001 steps, with a request timeout of 10 s.
  Result<Matrix> range = RangeOn(*engine, "vector(time())", kMidnight, kMidnight + 11'000 * kMinute,
                                 kMinute, 10 * kSecond);
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().code(), Status::Code::kUnavailable);

  // A query of a few steps of work finishes.
  Result<QueryValue> quick = InstantOn(*engine, "minutes_since_midnight", kMidnight + kHour);
  ASSERT_TRUE(quick.ok()) << quick.status().ToString();
  EXPECT_EQ(ValuesOf(std::get<Vector>(*quick)), (Doubles{60}));
}

TEST_F(EngineOverStore, RequestTimeoutShortensTheLimit) {
  TickingClock ticking;
  QueryLimits limits;
  limits.timeout_ms = kDay;
  const auto engine = MakeEngine(limits, &ticking);
  Result<QueryValue> slow = InstantOn(*engine, kSlowQuery, kMidnight + kDay);
  ASSERT_TRUE(slow.ok()) << slow.status().ToString();
  // The newest time() in the subquery: the query's own, in seconds.
  EXPECT_EQ(ValuesOf(std::get<Vector>(*slow)), (Doubles{(kMidnight + kDay) / 1000}));

  Result<QueryValue> timed_out = InstantOn(*engine, kSlowQuery, kMidnight + kDay, 60 * kSecond);
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(timed_out.status().message(), kTimedOut);
}

}  // namespace
}  // namespace wattline::aggregator
