#include "aggregator/rules/rule_group.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "aggregator/query/parser.h"
#include "aggregator/rules/rules_test_store.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kT0 = kRulesT0;

// A real store and engine; power_watts{device="heater"} and
// {device="oven"} are written by each test as it needs.
class RuleGroupTest : public RulesOverStore {
 protected:
  void WritePower(const std::string& device, int64_t t, double watts) {
    ASSERT_TRUE(
        store_->Write({{{{"__name__", "power_watts"}, {"device", device}}, {t}, {watts}}}).ok());
  }

  std::unique_ptr<RuleGroup> Group(const std::string& rules) {
    Result<RuleFile> file = ParseRuleFile(
        "groups:\n  - name: home\n    interval: 1m\n    rules:\n" + rules, "home.yml");
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return nullptr;
    return std::make_unique<RuleGroup>(file->groups[0], "home.yml", RuleGroupOptions{});
  }

  void Eval(RuleGroup& group, int64_t t) {
    clock_.SetUnixMs(t);
    group.Eval(*engine_, t, Storer(), [this](const RuleSpec&, std::vector<Alert> alerts) {
      for (Alert& alert : alerts) notified_.push_back(std::move(alert));
    });
  }

  // The instant vector `query` gives at `t`.
  Vector Query(const std::string& query, int64_t t) {
    Result<std::unique_ptr<Expr>> expr = ParseExpr(query);
    EXPECT_TRUE(expr.ok()) << expr.status().ToString();
    Result<QueryValue> value = engine_->Instant(**expr, t);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    if (!value.ok() || !std::holds_alternative<Vector>(*value)) return {};
    return std::get<Vector>(*value);
  }

  std::vector<Alert> notified_;
};

TEST_F(RuleGroupTest, ARecordingRuleStoresItsOutputAndALaterRuleReadsIt) {
  auto group = Group(R"(      - record: home:power_watts:sum
        expr: sum(power_watts)
        labels: {source: rules}
      - record: home:power_kilowatts:sum
        expr: home:power_watts:sum / 1000
)");
  WritePower("heater", kT0 - 10 * kSecond, 2000);
  WritePower("oven", kT0 - 5 * kSecond, 1500);
  Eval(*group, kT0);
  Vector watts = Query("home:power_watts:sum", kT0);
  ASSERT_EQ(watts.size(), 1u);
  EXPECT_EQ(watts[0].metric, (Labels{{"__name__", "home:power_watts:sum"}, {"source", "rules"}}));
  EXPECT_EQ(watts[0].value, 3500);
  Vector kilowatts = Query("home:power_kilowatts:sum", kT0);
  ASSERT_EQ(kilowatts.size(), 1u) << "the second rule saw the first's output";
  EXPECT_EQ(kilowatts[0].value, 3.5);
  RuleGroupStatus status = group->Snapshot();
  EXPECT_EQ(status.rules[0].health, "ok");
  EXPECT_EQ(status.last_evaluation_ms, kT0);
}

TEST_F(RuleGroupTest, ASeriesARuleNoLongerGivesIsMarkedStale) {
  auto group = Group(R"(      - record: device:power_watts:high
        expr: power_watts > 1000
)");
  WritePower("heater", kT0 - kSecond, 2000);
  WritePower("oven", kT0 - kSecond, 1500);
  Eval(*group, kT0);
  EXPECT_EQ(Query("device:power_watts:high", kT0).size(), 2u);
  WritePower("heater", kT0 + 59 * kSecond, 2000);
  WritePower("oven", kT0 + 59 * kSecond, 500);
  Eval(*group, kT0 + kMinute);
  // Without the stale marker, the oven's last output would answer for five
  // more minutes.
  Vector high = Query("device:power_watts:high", kT0 + 90 * kSecond);
  ASSERT_EQ(high.size(), 1u);
  EXPECT_EQ(LabelValue(high[0].metric, "device"), "heater");
}

TEST_F(RuleGroupTest, AnAlertGoesPendingFiresIsNotifiedAndWritesAlertsSeries) {
  auto group = Group(R"(      - alert: HighPower
        expr: power_watts > 1800
        for: 2m
        annotations: {summary: "{{ $labels.device }} draws {{ $value }} W"}
)");
  for (int64_t m = 0; m <= 3; ++m) {
    WritePower("heater", kT0 + m * kMinute - kSecond, 2000);
    Eval(*group, kT0 + m * kMinute);
  }
  Vector alerts = Query("ALERTS", kT0 + 3 * kMinute);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].metric, (Labels{{"__name__", "ALERTS"},
                                      {"alertname", "HighPower"},
                                      {"alertstate", "firing"},
                                      {"device", "heater"}}));
  Vector pending_before = Query("ALERTS{alertstate=\"pending\"}", kT0 + kMinute);
  EXPECT_EQ(pending_before.size(), 1u);
  EXPECT_TRUE(Query("ALERTS{alertstate=\"pending\"}", kT0 + 3 * kMinute).empty())
      << "the pending series was marked stale when it fired";
  Vector for_state = Query("ALERTS_FOR_STATE", kT0 + 3 * kMinute);
  ASSERT_EQ(for_state.size(), 1u);
  EXPECT_EQ(for_state[0].value, static_cast<double>(kT0 / 1000));
  ASSERT_EQ(notified_.size(), 1u) << "sent when it fired at 2m, not again within the resend delay";
  EXPECT_EQ(LabelValue(notified_[0].annotations, "summary"), "heater draws 2000 W");
  RuleGroupStatus status = group->Snapshot();
  EXPECT_EQ(status.rules[0].state, AlertState::kFiring);
  ASSERT_EQ(status.rules[0].alerts.size(), 1u);
  EXPECT_EQ(status.rules[0].alerts[0].fired_at_ms, kT0 + 2 * kMinute);
}

TEST_F(RuleGroupTest, AFailingRuleIsUnhealthyAndTheOthersGoOn) {
  auto group = Group(R"(      - record: broken
        expr: power_watts + on(device) group_left power_watts
      - record: home:power_watts:sum
        expr: sum(power_watts)
)");
  WritePower("heater", kT0 - kSecond, 2000);
  // Two series with one device label: many-to-many matching fails.
  ASSERT_TRUE(store_
                  ->Write({{{{"__name__", "power_watts"}, {"device", "heater"}, {"phase", "b"}},
                            {kT0 - kSecond},
                            {100}}})
                  .ok());
  Eval(*group, kT0);
  RuleGroupStatus status = group->Snapshot();
  EXPECT_EQ(status.rules[0].health, "err");
  EXPECT_FALSE(status.rules[0].last_error.empty());
  EXPECT_EQ(status.rules[1].health, "ok");
  EXPECT_EQ(Query("home:power_watts:sum", kT0).size(), 1u);
}

TEST_F(RuleGroupTest, AReloadKeepsAlertsOfTheSameRuleAndEndsRemovedRulesSeries) {
  auto before = Group(R"(      - alert: HighPower
        expr: power_watts > 1800
        for: 2m
      - record: gone:power_watts
        expr: power_watts
)");
  WritePower("heater", kT0 - kSecond, 2000);
  Eval(*before, kT0);
  Eval(*before, kT0 + kMinute);
  auto after = Group(R"(      - alert: HighPower
        expr: power_watts > 1900
        for: 2m
)");
  after->CopyStateFrom(*before);
  WritePower("heater", kT0 + 2 * kMinute - kSecond, 2000);
  Eval(*after, kT0 + 2 * kMinute);
  EXPECT_EQ(after->Snapshot().rules[0].state, AlertState::kFiring) << "for kept its progress";
  EXPECT_TRUE(Query("gone:power_watts", kT0 + 2 * kMinute).empty())
      << "the removed rule's series ended at the next evaluation";
}

TEST_F(RuleGroupTest, EvaluationTimesAreTheIntervalApartAtAFixedOffset) {
  auto group = Group("      - record: x\n        expr: vector(1)\n");
  const int64_t first = group->NextEvaluationAt(kT0);
  EXPECT_GE(first, kT0);
  EXPECT_LT(first, kT0 + kMinute);
  EXPECT_EQ(group->NextEvaluationAt(first), first);
  EXPECT_EQ(group->NextEvaluationAt(first + 1), first + kMinute);
  EXPECT_EQ(group->NextEvaluationAt(first + kMinute), first + kMinute);
}

}  // namespace
}  // namespace wattline::aggregator
