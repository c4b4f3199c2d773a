// The shipped rule file (wattline.rules.yml) over a scenario with one fault
// of each kind it watches for: every alert fires for the series at fault,
// and for no other.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aggregator/rules/rules_test_store.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kT0 = kRulesT0;  // the scenario's start

class WattlineRules : public RulesOverStore {
 protected:
  void SetUp() override {
    RulesOverStore::SetUp();
    Result<RuleFile> file = LoadRuleFile(std::string(WATTLINE_RULES_DIR) + "/wattline.rules.yml");
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    for (RuleGroupSpec& group : file->groups) {
      groups_.push_back(
          std::make_unique<RuleGroup>(group, "wattline.rules.yml", RuleGroupOptions{}));
    }
  }

  // `value(minute)` every minute of [from, to) minutes after kT0.
  void Series(Labels labels, int from, int to, double (*value)(int minute)) {
    SeriesSamples series{std::move(labels), {}, {}};
    for (int m = from; m < to; ++m) {
      series.timestamps_ms.push_back(kT0 + m * kMinute);
      series.values.push_back(value(m));
    }
    ASSERT_TRUE(store_->Write({series}).ok());
  }

  // Evaluates every group each minute of [from, to); the firing alerts at
  // the end, as "alertname key", the key being the labels that tell them
  // apart.
  std::set<std::string> FiringAfter(int from, int to) {
    for (int m = from; m < to; ++m) {
      const int64_t t = kT0 + m * kMinute + 30'000;
      clock_.SetUnixMs(t);
      for (auto& group : groups_) {
        group->Eval(*engine_, t, Storer(), {});
      }
    }
    std::set<std::string> firing;
    for (auto& group : groups_) {
      for (const RuleStatus& rule : group->Snapshot().rules) {
        EXPECT_EQ(rule.health, "ok") << rule.spec.name << ": " << rule.last_error;
        for (const Alert& alert : rule.alerts) {
          if (alert.state != AlertState::kFiring) continue;
          std::string key;
          for (const char* name : {"agent", "device", "phase", "reason"}) {
            if (!LabelValue(alert.labels, name).empty()) {
              key += " " + std::string(LabelValue(alert.labels, name));
            }
          }
          firing.insert(rule.spec.name + key);
        }
      }
    }
    return firing;
  }

  std::vector<std::unique_ptr<RuleGroup>> groups_;
};

Labels With(std::string name, std::vector<Label> labels) {
  labels.push_back({"__name__", std::move(name)});
  std::sort(labels.begin(), labels.end());
  return labels;
}

TEST_F(WattlineRules, EachFaultFiresItsAlertAndNothingElse) {
  constexpr int kEnd = 40;
  // house: reporting, clock only offset from boot time, its panel answering
  // but its heat pump not since minute 20, an outbox whose oldest batch is
  // 20 minutes old and which is 86% full from minute 35, and dropping
  // samples.
  Series(With("wattline_agent_clock_state", {{"agent", "house"}}), 0, kEnd,
         [](int) { return 1.0; });
  Series(With("wattline_agent_device_last_success_timestamp_seconds",
              {{"agent", "house"}, {"device", "panel"}}),
         0, kEnd, [](int m) { return (kT0 + m * kMinute) / 1000.0; });
  Series(With("wattline_agent_device_last_success_timestamp_seconds",
              {{"agent", "house"}, {"device", "heatpump"}}),
         0, kEnd, [](int m) { return (kT0 + std::min(m, 20) * kMinute) / 1000.0; });
  Series(With("wattline_agent_outbox_oldest_age_seconds", {{"agent", "house"}}), 0, kEnd,
         [](int) { return 1200.0; });
  Series(With("wattline_agent_outbox_bytes", {{"agent", "house"}}), 0, kEnd,
         [](int m) { return m < 35 ? 1.0e6 : 230.0e6; });
  Series(With("wattline_agent_outbox_max_bytes", {{"agent", "house"}}), 0, kEnd,
         [](int) { return 256.0 * (1 << 20); });
  Series(
      With("wattline_agent_outbox_dropped_samples_total", {{"agent", "house"}, {"reason", "full"}}),
      0, kEnd, [](int m) { return m < 30 ? 0.0 : 100.0 * (m - 29); });
  // shed: synchronised, silent since minute 25.
  Series(With("wattline_agent_clock_state", {{"agent", "shed"}}), 0, 25, [](int) { return 2.0; });
  Series(With("wattline_agent_outbox_oldest_age_seconds", {{"agent", "shed"}}), 0, 25,
         [](int) { return 0.0; });
  Series(With("wattline_agent_outbox_bytes", {{"agent", "shed"}}), 0, 25,
         [](int) { return 1.0e6; });
  Series(With("wattline_agent_outbox_max_bytes", {{"agent", "shed"}}), 0, 25,
         [](int) { return 256.0 * (1 << 20); });
  // The house panel: phase a over 90% of 32 A, phase b's voltage low, phase
  // c in order.
  Series(With("current_amperes", {{"agent", "house"}, {"device", "panel"}, {"phase", "a"}}), 0,
         kEnd, [](int) { return 30.5; });
  Series(With("current_amperes", {{"agent", "house"}, {"device", "panel"}, {"phase", "c"}}), 0,
         kEnd, [](int) { return 12.0; });
  Series(With("voltage_volts", {{"agent", "house"}, {"device", "panel"}, {"phase", "b"}}), 0, kEnd,
         [](int) { return 201.0; });
  Series(With("voltage_volts", {{"agent", "house"}, {"device", "panel"}, {"phase", "c"}}), 0, kEnd,
         [](int) { return 236.0; });

  EXPECT_EQ(FiringAfter(0, kEnd), (std::set<std::string>{
                                      "WattlineAgentClockNotSynchronised house",
                                      "WattlineAgentSilent shed",
                                      "WattlineDeviceSilent house heatpump",
                                      "WattlineOutboxDropping house full",
                                      "WattlineOutboxFilling house",
                                      "WattlineOutboxNearlyFull house",
                                      "WattlinePhaseNearBreakerLimit house panel a",
                                      "WattlineVoltageOutOfBand house panel b",
                                  }));
}

}  // namespace
}  // namespace wattline::aggregator
