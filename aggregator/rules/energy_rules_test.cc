// The shipped energy rules (energy.rules.yml) over the cost test day
// (energy/cost_test_day.h), through a real store, the tariff and carbon
// series and the engine: every hourly record and the day's record equal the
// sums worked out by hand, to far below a cent.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "aggregator/energy/cost_test_day.h"
#include "aggregator/energy/schedule_series.h"
#include "aggregator/energy/series_with_schedules.h"
#include "aggregator/query/engine.h"
#include "aggregator/query/parser.h"
#include "aggregator/rules/rule_file.h"
#include "aggregator/rules/rule_group.h"
#include "aggregator/storage/sample_store.h"
#include "common/clock.h"
#include "common/config/config_tree.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

using namespace cost_test_day;

// When the hourly group evaluates for the hour ending `hour_end`: on the
// hour for even hours (a range's start then falls on a minute, which the
// rules must not count twice), 17.5 s into it for odd ones, as a group's
// offset puts it (the records still cover whole minutes).
int64_t HourlyEvalAt(int hour_end) {
  return kDayStartMs + hour_end * kHourMs + (hour_end % 2 == 0 ? 0 : 17'500);
}

class EnergyRules : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SampleStore::Open(dir_.File("s.db"), &clock_, StorageOptions{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    Result<ConfigNode> yaml = ParseYamlConfig(kEnergySection, "energy");
    ASSERT_TRUE(yaml.ok()) << yaml.status().ToString();
    Result<EnergyConfig> energy = ReadEnergyConfig(yaml->Find("energy"));
    ASSERT_TRUE(energy.ok()) << energy.status().ToString();
    auto schedules = ScheduleSeries::Create(std::move(*energy));
    ASSERT_TRUE(schedules.ok()) << schedules.status().ToString();
    schedules_ = std::move(*schedules);
    series_ = std::make_unique<SeriesWithSchedules>(store_.get(), schedules_.get());
    engine_ = std::make_unique<Engine>(series_.get(), &clock_);

    Result<RuleFile> file = LoadRuleFile(std::string(WATTLINE_RULES_DIR) + "/energy.rules.yml");
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_EQ(file->groups.size(), 2u);
    for (RuleGroupSpec& group : file->groups) {
      groups_.push_back(std::make_unique<RuleGroup>(group, "energy.rules.yml", RuleGroupOptions{}));
    }
    ASSERT_TRUE(store_->Write(Readings()).ok());
  }

  void Eval(RuleGroup& group, int64_t t) {
    clock_.SetUnixMs(t);
    group.Eval(
        *engine_, t,
        [this](const std::vector<SeriesSamples>& series) { return store_->Write(series).status(); },
        {});
    for (const RuleStatus& rule : group.Snapshot().rules) {
      EXPECT_EQ(rule.health, "ok") << rule.spec.name << ": " << rule.last_error;
    }
  }

  // The single value `query` gives at `t`; NaN when it gives none.
  double ValueAt(const std::string& query, int64_t t) {
    Result<std::unique_ptr<Expr>> expr = ParseExpr(query);
    EXPECT_TRUE(expr.ok()) << expr.status().ToString();
    if (!expr.ok()) return std::nan("");
    Result<QueryValue> value = engine_->Instant(**expr, t);
    EXPECT_TRUE(value.ok()) << query << ": " << value.status().ToString();
    if (!value.ok()) return std::nan("");
    const Vector* vector = std::get_if<Vector>(&*value);
    EXPECT_TRUE(vector != nullptr && vector->size() == 1) << query;
    if (vector == nullptr || vector->size() != 1) return std::nan("");
    return (*vector)[0].value;
  }

  testing::TempDir dir_;
  FakeClock clock_{kDayStartMs};
  std::unique_ptr<SampleStore> store_;
  std::unique_ptr<ScheduleSeries> schedules_;
  std::unique_ptr<SeriesWithSchedules> series_;
  std::unique_ptr<Engine> engine_;
  std::vector<std::unique_ptr<RuleGroup>> groups_;
};

TEST_F(EnergyRules, HourlyAndDailyRecordsEqualTheSumsByHand) {
  RuleGroup& hourly = *groups_[0];
  RuleGroup& daily = *groups_[1];
  for (int hour = 0; hour < 24; ++hour) {
    Eval(hourly, HourlyEvalAt(hour + 1));
  }
  const int64_t day_record = kDayEndMs + 30 * 60 * 1000;
  Eval(daily, day_record);

  for (int hour = 0; hour < 24; ++hour) {
    SCOPED_TRACE("hour " + std::to_string(hour));
    const int64_t t = HourlyEvalAt(hour + 1);
    EXPECT_NEAR(ValueAt("device:energy_import_cost:1h{device=\"heater\"}", t),
                kHeaterHourCost[hour], 1e-9);
    EXPECT_NEAR(ValueAt("device:energy_imported_kwh:1h{device=\"heater\"}", t), 1.0, 1e-12);
    const bool charging = hour >= 1 && hour < 5;
    EXPECT_NEAR(ValueAt("device:energy_imported_kwh:1h{device=\"ev\"}", t), charging ? 7 : 0,
                1e-12);
  }
  // The peak hour 17:00-18:00: heater and the standing charge's 24th share.
  EXPECT_NEAR(ValueAt("installation:energy_cost:1h", HourlyEvalAt(18)), 0.3874 + 0.53 / 24, 1e-9);
  // Noon: the panels' credit (2 kWh at 0.15) outweighs the heater's 0.2451.
  EXPECT_NEAR(ValueAt("installation:energy_cost:1h", HourlyEvalAt(12)), 0.2451 - 0.30 + 0.53 / 24,
              1e-9);

  EXPECT_NEAR(ValueAt("installation:energy_cost:1d", day_record), kDayCost, 1e-9);
  EXPECT_NEAR(ValueAt("installation:energy_imported_kwh:1d", day_record), kDayImportedKwh, 1e-9);
  EXPECT_NEAR(ValueAt("installation:energy_exported_kwh:1d", day_record), kDayExportedKwh, 1e-9);
  EXPECT_NEAR(ValueAt("installation:co2_emitted_grams:1d", day_record), kDayCo2Grams, 1e-6);
  EXPECT_NEAR(ValueAt("device:energy_import_cost:1d{device=\"heater\"}", day_record), 5.232, 1e-9);
  EXPECT_NEAR(ValueAt("device:energy_import_cost:1d{device=\"ev\"}", day_record), 2.5536, 1e-9);
  EXPECT_NEAR(ValueAt("device:energy_export_credit:1d{device=\"solar\"}", day_record), 1.2, 1e-9);
}

TEST_F(EnergyRules, TodaysCostQueryIsRightToTheCent) {
  const double cost = ValueAt(CostSinceMidnightQuery("23h59m59s999ms"), kDayEndMs);
  EXPECT_NEAR(cost, kDayCost, 1e-9);
  EXPECT_EQ(std::lround(cost * 100), 712);
  // At noon: the morning's energy only, with half the standing charge.
  const double morning = 0.12255 + 0.6384 + 4.5 * 0.2451 + 2.5536 - 4 * 0.15 + 0.53 / 2;
  EXPECT_NEAR(ValueAt(CostSinceMidnightQuery("11h59m59s999ms"), kDayStartMs + 12 * kHourMs),
              morning, 1e-9);
}

}  // namespace
}  // namespace wattline::aggregator
