#include "aggregator/energy/schedule_series.h"

#include <gtest/gtest.h>

#include "aggregator/energy/cost_test_day.h"
#include "aggregator/energy/series_with_schedules.h"
#include "aggregator/storage/rollup.h"
#include "aggregator/storage/sample_store.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

using namespace cost_test_day;

std::unique_ptr<ScheduleSeries> TestDaySchedules() {
  Result<ConfigNode> yaml = ParseYamlConfig(kEnergySection, "energy");
  EXPECT_TRUE(yaml.ok());
  Result<EnergyConfig> config = ReadEnergyConfig(yaml->Find("energy"));
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  auto schedules = ScheduleSeries::Create(std::move(*config));
  EXPECT_TRUE(schedules.ok());
  return std::move(*schedules);
}

LabelMatchers NameIs(const char* name) {
  auto matcher = LabelMatcher::Make(LabelMatcher::Type::kEqual, "__name__", name);
  EXPECT_TRUE(matcher.ok());
  LabelMatchers out;
  out.push_back(std::move(*matcher));
  return out;
}

TEST(ScheduleSeries, SamplesEveryMinuteOnTheMinute) {
  auto schedules = TestDaySchedules();
  auto refs = schedules->Select(NameIs(kImportPriceMetric));
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_LT((*refs)[0].id, 0);
  // 00:29:30 to 00:31:10 local: 00:30 and 00:31, the night price from 00:30.
  auto samples = schedules->ReadSamples((*refs)[0].id, kDayStartMs + 29 * 60'000 + 30'000,
                                        kDayStartMs + 31 * 60'000 + 10'000);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(*samples, (std::vector<SamplePoint>{{kDayStartMs + 30 * 60'000, 0.0912},
                                                {kDayStartMs + 31 * 60'000, 0.0912}}));
  samples = schedules->ReadSamples((*refs)[0].id, kDayStartMs, kDayEndMs);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(samples->size(), 24u * 60 + 1);
  // Before the tariff's first date there is nothing.
  samples = schedules->ReadSamples((*refs)[0].id, 0, 3600'000);
  ASSERT_TRUE(samples.ok());
  EXPECT_TRUE(samples->empty());
}

TEST(ScheduleSeries, RollupsEqualTheSamples) {
  auto schedules = TestDaySchedules();
  auto refs = schedules->Select(NameIs(kImportPriceMetric));
  ASSERT_TRUE(refs.ok() && refs->size() == 1);
  std::vector<Rollup> rollups;
  ASSERT_TRUE(schedules
                  ->AppendRollups((*refs)[0].id, kHourResolutionMs, kDayStartMs + 1, kDayEndMs - 1,
                                  &rollups)
                  .ok());
  ASSERT_EQ(rollups.size(), 24u);
  auto samples = schedules->ReadSamples((*refs)[0].id, kDayStartMs, kDayEndMs - 1);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(rollups, ComputeRollups(*samples, kHourResolutionMs));
  // Buckets are UTC hours; the day starts at 23:00Z. 16:00 local opens the peak.
  EXPECT_EQ(rollups[15].max, 0.2451);
  EXPECT_EQ(rollups[16].min, 0.3874);
}

TEST(SeriesWithSchedules, MergesStoredAndScheduledSeriesInLabelOrder) {
  testing::TempDir dir;
  FakeClock clock(kDayStartMs);
  auto store = SampleStore::Open(dir.File("s.db"), &clock, StorageOptions{});
  ASSERT_TRUE(store.ok());
  SeriesSamples stored{
      {{"__name__", "tariff_import_price_per_kwh"}, {"tariff", "b_stored"}}, {kDayStartMs}, {1.5}};
  ASSERT_TRUE((*store)->Write({stored}).ok());
  auto schedules = TestDaySchedules();
  SeriesWithSchedules both(store->get(), schedules.get());
  auto matcher = LabelMatcher::Make(LabelMatcher::Type::kRegexMatch, "__name__", "tariff_.*");
  ASSERT_TRUE(matcher.ok());
  LabelMatchers matchers;
  matchers.push_back(std::move(*matcher));
  auto refs = both.Select(matchers);
  ASSERT_TRUE(refs.ok()) << refs.status().ToString();
  std::vector<std::string> seen;
  for (const SeriesRef& ref : *refs) {
    seen.push_back(ref.labels[0].value + "/" + ref.labels[1].value);
    auto samples = both.ReadSamples(ref.id, kDayStartMs, kDayStartMs);
    ASSERT_TRUE(samples.ok());
    EXPECT_EQ(samples->size(), 1u) << seen.back();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "tariff_export_price_per_kwh/home", "tariff_import_price_per_kwh/b_stored",
                      "tariff_import_price_per_kwh/home", "tariff_standing_charge_per_day/home"}));
}

}  // namespace
}  // namespace wattline::aggregator
