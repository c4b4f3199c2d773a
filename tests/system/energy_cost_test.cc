// What the day cost, through a running aggregator: the cost test day's
// readings (aggregator/energy/cost_test_day.h) go in over HTTP, the tariff
// and carbon series come from its config, and the answers come out of the
// query API and of the shipped energy rules the aggregator evaluates, equal
// to the sums worked out by hand.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "aggregator/aggregator.h"
#include "aggregator/energy/cost_test_day.h"
#include "aggregator/ingest/write_handler.h"
#include "aggregator/rules/rule_file.h"
#include "aggregator/rules/rule_group.h"
#include "common/clock.h"
#include "common/testing/temp_dir.h"
#include "tests/support/aggregator_test_files.h"

namespace wattline::testing {
namespace {

using namespace aggregator::cost_test_day;
using aggregator::Aggregator;
using Json = nlohmann::json;

constexpr const char* kToken = "energy-cost-token";
const std::string kRulesFile = std::string(WATTLINE_RULES_DIR) + "/energy.rules.yml";

class EnergyCost : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(MakeAggregatorFiles(dir_, kToken).ok());
    Result<aggregator::AggregatorConfig> config = aggregator::ParseAggregatorConfig(
        LoopbackAggregatorConfig(dir_, dir_.File("data")) + "rules:\n  files: " + kRulesFile +
            "\n" + kEnergySection,
        "test");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    // The readings must not be in the future when they arrive.
    clock_.SetUnixMs(kReadingsEndMs + 60'000);
    auto started = Aggregator::Start(*config, &clock_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    aggregator_ = std::move(*started);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", aggregator_->api_port());
    client_->set_bearer_token_auth(kToken);
    client_->set_read_timeout(30, 0);
    auto imported = client_->Post(aggregator::kTextImportPath, ReadingsAsText(), "text/plain");
    ASSERT_TRUE(imported) << httplib::to_string(imported.error());
    ASSERT_EQ(imported->status, 204) << imported->body;
  }

  // The one sample `query` gives at `t_ms` as [timestamp ms, value]; an
  // empty vector when it gives none.
  std::vector<double> QueryAt(const std::string& query, int64_t t_ms) {
    auto result = client_->Get(
        "/api/v1/query", httplib::Params{{"query", query}, {"time", std::to_string(t_ms / 1000.0)}},
        {});
    if (!result || result->status != 200) {
      ADD_FAILURE() << query << ": "
                    << (result ? result->body : httplib::to_string(result.error()));
      return {};
    }
    const Json answer = Json::parse(result->body)["data"]["result"];
    if (answer.size() != 1) return {};
    return {answer[0]["value"][0].get<double>() * 1000,
            std::stod(answer[0]["value"][1].get<std::string>())};
  }

  // Moves the clock to `t_ms` and waits until `record` has its sample there:
  // the scheduler looks at the clock at least once a second.
  ::testing::AssertionResult EvaluatedAt(const std::string& record, int64_t t_ms) {
    clock_.SetUnixMs(t_ms);
    for (int i = 0; i < 100; ++i) {
      std::vector<double> sample = QueryAt(record, t_ms);
      if (!sample.empty() && std::llround(sample[0]) == t_ms) {
        return ::testing::AssertionSuccess();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ::testing::AssertionFailure() << record << " has no sample at " << t_ms;
  }

  TempDir dir_;
  FakeClock clock_{kDayStartMs};
  std::unique_ptr<Aggregator> aggregator_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(EnergyCost, TodaysCostQueryIsRightToTheCent) {
  const std::vector<double> cost = QueryAt(CostSinceMidnightQuery("23h59m59s999ms"), kDayEndMs);
  ASSERT_EQ(cost.size(), 2u);
  EXPECT_NEAR(cost[1], kDayCost, 1e-9);
  EXPECT_EQ(std::lround(cost[1] * 100), 712);
  // The tariff's series as Grafana finds them.
  auto names = client_->Get("/api/v1/label/__name__/values");
  ASSERT_TRUE(names);
  for (const char* series : {"tariff_import_price_per_kwh", "tariff_export_price_per_kwh",
                             "tariff_standing_charge_per_day", "carbon_intensity_grams_per_kwh"}) {
    EXPECT_NE(names->body.find(series), std::string::npos) << series;
  }
  // 17:00 local on the Tuesday: the weekday peak.
  const std::vector<double> price =
      QueryAt("tariff_import_price_per_kwh{tariff=\"home\"}", kDayStartMs + 17 * kHourMs);
  ASSERT_EQ(price.size(), 2u);
  EXPECT_EQ(price[1], 0.3874);
}

TEST_F(EnergyCost, ShippedRulesRecordTheDayByHand) {
  // Where the aggregator's scheduler puts the two groups' evaluations.
  Result<aggregator::RuleFile> file = aggregator::LoadRuleFile(kRulesFile);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(file->groups.size(), 2u);
  const aggregator::RuleGroup hourly(file->groups[0], kRulesFile, {});
  const aggregator::RuleGroup daily(file->groups[1], kRulesFile, {});
  const int64_t day_record = daily.NextEvaluationAt(kDayStartMs + 25 * kHourMs);
  std::vector<int64_t> hours;
  for (int64_t t = hourly.NextEvaluationAt(day_record - 24 * kHourMs + 1); t < day_record;
       t += kHourMs) {
    hours.push_back(t);
  }
  ASSERT_EQ(hours.size(), 24u);

  // The clock goes back to before the first hour (the scheduler starts
  // afresh from there) and then through each evaluation in turn.
  clock_.SetUnixMs(hours[0] - 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  for (int64_t t : hours) ASSERT_TRUE(EvaluatedAt("installation:energy_cost:1h", t));
  ASSERT_TRUE(EvaluatedAt("installation:energy_cost:1d", day_record));

  // The 24 hours before the record run from one day into the next; the
  // readings and prices repeat daily, so they cost what a calendar day does.
  EXPECT_NEAR(QueryAt("installation:energy_cost:1d", day_record)[1], kDayCost, 1e-9);
  EXPECT_NEAR(QueryAt("installation:co2_emitted_grams:1d", day_record)[1], kDayCo2Grams, 1e-6);
  EXPECT_NEAR(QueryAt("installation:energy_imported_kwh:1d", day_record)[1], kDayImportedKwh, 1e-9);
  EXPECT_NEAR(QueryAt("device:energy_export_credit:1d{device=\"solar\"}", day_record)[1], 1.2,
              1e-9);
}

}  // namespace
}  // namespace wattline::testing
