#include "aggregator/rules/rule_manager.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "aggregator/rules/rules_test_store.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kT0 = kRulesT0;

constexpr char kHighPower[] = R"(groups:
  - name: power
    interval: 1m
    rules:
      - alert: HighPower
        expr: power_watts > 1800
        for: 15m
)";

// A real store and engine, rule files in a temporary directory; the
// manager's scheduler runs but its fake clock never moves on its own, so
// the tests evaluate with EvaluateDue.
class RuleManagerTest : public RulesOverStore {
 protected:
  void WriteRules(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name)) << text;
  }

  Result<std::unique_ptr<RuleManager>> Start() {
    RuleManagerOptions options;
    options.files = dir_.File("*.yml");
    options.state_path = dir_.File("alerts.json");
    return RuleManager::Start(options, engine_.get(), &clock_, Storer(),
                              [this](const RuleSpec&, std::vector<Alert> alerts) {
                                for (Alert& alert : alerts) notified_.push_back(std::move(alert));
                              });
  }

  // Writes the heater's power just before `t` and evaluates what is due.
  void RunAt(RuleManager& manager, int64_t t, double watts) {
    clock_.SetUnixMs(t);
    ASSERT_TRUE(
        store_
            ->Write({{{{"__name__", "power_watts"}, {"device", "heater"}}, {t - kSecond}, {watts}}})
            .ok());
    manager.EvaluateDue(t);
  }

  std::string StateOf(const RuleManager& manager) {
    for (const RuleGroupStatus& group : manager.Groups()) {
      for (const RuleStatus& rule : group.rules) {
        if (!rule.alerts.empty()) return std::string(AlertStateName(rule.alerts[0].state));
      }
    }
    return "none";
  }

  std::vector<Alert> notified_;
};

TEST_F(RuleManagerTest, EvaluatesEachGroupOnItsInterval) {
  WriteRules("home.yml", kHighPower);
  auto manager = Start();
  ASSERT_TRUE(manager.ok()) << manager.status().ToString();
  ASSERT_EQ((*manager)->Groups().size(), 1u);
  int evaluations = 0;
  int64_t last = 0;
  for (int64_t t = kT0; t < kT0 + 5 * kMinute; t += 10 * kSecond) {
    RunAt(**manager, t, 100);
    const int64_t at = (*manager)->Groups()[0].last_evaluation_ms;
    if (at != last) ++evaluations;
    if (last != 0) {
      EXPECT_TRUE(at == last || at == last + kMinute) << at - last;
    }
    last = at;
  }
  EXPECT_GE(evaluations, 4);
  EXPECT_LE(evaluations, 5);
}

TEST_F(RuleManagerTest, AMissingOrBadFileStopsTheStart) {
  WriteRules("home.yml",
             "groups:\n  - name: x\n    rules:\n      - record: a\n        expr: sum(\n");
  auto manager = Start();
  ASSERT_FALSE(manager.ok());
  EXPECT_NE(manager.status().message().find("home.yml:5:"), std::string::npos)
      << manager.status().message();
}

TEST_F(RuleManagerTest, ABadReloadKeepsTheRunningRulesAndAGoodOneKeepsAlerts) {
  WriteRules("home.yml", kHighPower);
  auto manager = Start();
  ASSERT_TRUE(manager.ok()) << manager.status().ToString();
  for (int64_t m = 0; m < 5; ++m) RunAt(**manager, kT0 + m * kMinute, 2000);
  EXPECT_EQ(StateOf(**manager), "pending");

  WriteRules("home.yml", "groups: [");
  EXPECT_FALSE((*manager)->Reload().ok());
  EXPECT_EQ(StateOf(**manager), "pending");

  std::string edited = kHighPower;
  edited += "        annotations: {summary: edited}\n";
  WriteRules("home.yml", edited);
  ASSERT_TRUE((*manager)->Reload().ok());
  for (int64_t m = 5; m <= 16; ++m) RunAt(**manager, kT0 + m * kMinute, 2000);
  EXPECT_EQ(StateOf(**manager), "firing") << "`for` counted from before the reload";
}

TEST_F(RuleManagerTest, ARestartNeitherRenotifiesNorForgetsAFiringAlert) {
  WriteRules("home.yml", kHighPower);
  {
    auto manager = Start();
    ASSERT_TRUE(manager.ok()) << manager.status().ToString();
    for (int64_t m = 0; m <= 16; ++m) RunAt(**manager, kT0 + m * kMinute, 2000);
    EXPECT_EQ(StateOf(**manager), "firing");
  }
  ASSERT_EQ(notified_.size(), 1u);
  notified_.clear();
  // Back 20 s later: the alert fires on without a new notification.
  clock_.SetUnixMs(kT0 + 16 * kMinute + 20 * kSecond);
  auto manager = Start();
  ASSERT_TRUE(manager.ok()) << manager.status().ToString();
  EXPECT_EQ(StateOf(**manager), "firing");
  RunAt(**manager, kT0 + 17 * kMinute, 2000);
  EXPECT_EQ(StateOf(**manager), "firing");
  EXPECT_TRUE(notified_.empty()) << "sent a minute ago, before the restart";
  // The heater stops. The first evaluation that sees it resolves the alert:
  // the 18th minute's, or the 19th's when the group's slot, offset by a hash
  // of its name and file (a temporary path), falls before the reading. The
  // resolution is sent stamped with that evaluation (after, perhaps, the
  // firing alert's resend a minute after it was last sent).
  int64_t resolved_by = 0;
  for (const int64_t minute : {18, 19}) {
    RunAt(**manager, kT0 + minute * kMinute, 100);
    if (resolved_by == 0 && StateOf(**manager) != "firing") {
      resolved_by = (*manager)->Groups()[0].last_evaluation_ms;
    }
  }
  ASSERT_NE(resolved_by, 0) << "still firing two minutes after the heater stopped";
  ASSERT_FALSE(notified_.empty());
  EXPECT_LE(notified_.size(), 2u);
  EXPECT_EQ(notified_.back().state, AlertState::kInactive);
  EXPECT_EQ(notified_.back().resolved_at_ms, resolved_by);
}

TEST_F(RuleManagerTest, APendingAlertKeepsItsProgressButNotTheOutage) {
  WriteRules("home.yml", kHighPower);
  {
    auto manager = Start();
    ASSERT_TRUE(manager.ok()) << manager.status().ToString();
    for (int64_t m = 0; m <= 2; ++m) RunAt(**manager, kT0 + m * kMinute, 2000);
  }
  // Pending for 2 of 15 minutes when stopped, then down for 10.
  const int64_t restart = kT0 + 12 * kMinute;
  clock_.SetUnixMs(restart);
  auto manager = Start();
  ASSERT_TRUE(manager.ok()) << manager.status().ToString();
  std::vector<RuleGroupStatus> groups = (*manager)->Groups();
  ASSERT_EQ(groups[0].rules[0].alerts.size(), 1u);
  const int64_t active_at = groups[0].rules[0].alerts[0].active_at_ms;
  // Shifted by the outage: 13 more minutes pending from the restart.
  EXPECT_GE(active_at, kT0 + 10 * kMinute - kMinute);
  EXPECT_LE(active_at, kT0 + 10 * kMinute + kMinute);
  for (int64_t m = 12; m <= 40; ++m) {
    RunAt(**manager, kT0 + m * kMinute, 2000);
    if (StateOf(**manager) == "firing") {
      EXPECT_GE(m, 24) << "fired before 15 minutes of observed pending";
      break;
    }
  }
  EXPECT_EQ(StateOf(**manager), "firing");
}

}  // namespace
}  // namespace wattline::aggregator
