#include "aggregator/rules/alerting_rule.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wattline::aggregator {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// An alerting rule from a one-rule file, as the daemon builds it.
AlertingRule Rule(const std::string& fields) {
  Result<RuleFile> file = ParseRuleFile(
      "groups:\n  - name: g\n    rules:\n      - alert: PhaseOverload\n        expr: "
      "current_amperes > 30\n" +
          fields,
      "test.yml");
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return AlertingRule(file->groups[0].rules[0], AlertContext{{{"site", "home"}}, "http://wl:9090"});
}

Vector Over(std::vector<std::pair<std::string, double>> phases) {
  Vector result;
  for (const auto& [phase, amperes] : phases) {
    result.push_back({{{"__name__", "current_amperes"}, {"phase", phase}}, 0, amperes});
  }
  return result;
}

std::vector<std::string> StatesOf(const AlertingRule& rule) {
  std::vector<std::string> states;
  for (const Alert& alert : rule.Alerts()) {
    states.push_back(std::string(LabelValue(alert.labels, "phase")) + ":" +
                     std::string(AlertStateName(alert.state)));
  }
  return states;
}

TEST(AlertingRule, GoesPendingThenFiresAfterForThenResolves) {
  AlertingRule rule = Rule("        for: 2m\n");
  Result<Vector> samples = rule.Eval(Over({{"a", 31}}), kT0);
  ASSERT_TRUE(samples.ok()) << samples.status().ToString();
  EXPECT_EQ(StatesOf(rule), std::vector<std::string>{"a:pending"});
  ASSERT_EQ(samples->size(), 2u);
  EXPECT_EQ((*samples)[0].metric, (Labels{{"__name__", "ALERTS"},
                                          {"alertname", "PhaseOverload"},
                                          {"alertstate", "pending"},
                                          {"phase", "a"}}));
  EXPECT_EQ((*samples)[0].value, 1);
  EXPECT_EQ(
      (*samples)[1].metric,
      (Labels{{"__name__", "ALERTS_FOR_STATE"}, {"alertname", "PhaseOverload"}, {"phase", "a"}}));
  EXPECT_EQ((*samples)[1].value, static_cast<double>(kT0 / 1000));

  ASSERT_TRUE(rule.Eval(Over({{"a", 32}}), kT0 + kMinute).ok());
  EXPECT_EQ(StatesOf(rule), std::vector<std::string>{"a:pending"}) << "1m of 2m";
  samples = rule.Eval(Over({{"a", 33}}), kT0 + 2 * kMinute);
  EXPECT_EQ(StatesOf(rule), std::vector<std::string>{"a:firing"});
  EXPECT_EQ(LabelValue((*samples)[0].metric, "alertstate"), "firing");
  EXPECT_EQ(rule.Alerts()[0].fired_at_ms, kT0 + 2 * kMinute);
  EXPECT_EQ(rule.Alerts()[0].value, 33);
  EXPECT_EQ(rule.State(), AlertState::kFiring);

  samples = rule.Eval(Over({}), kT0 + 3 * kMinute);
  EXPECT_TRUE(samples->empty()) << "a resolved alert has no ALERTS sample";
  EXPECT_EQ(StatesOf(rule), std::vector<std::string>{"a:inactive"}) << "kept to be sent resolved";
  EXPECT_EQ(rule.Alerts()[0].resolved_at_ms, kT0 + 3 * kMinute);
  ASSERT_TRUE(rule.Eval(Over({}), kT0 + 3 * kMinute + kResolvedRetentionMs).ok());
  EXPECT_EQ(rule.Alerts().size(), 1u) << "15 minutes is not past the retention";
  ASSERT_TRUE(rule.Eval(Over({}), kT0 + 4 * kMinute + kResolvedRetentionMs).ok());
  EXPECT_TRUE(rule.Alerts().empty());
}

TEST(AlertingRule, APendingAlertThatGoesIsForgottenAndStartsOver) {
  AlertingRule rule = Rule("        for: 5m\n");
  ASSERT_TRUE(rule.Eval(Over({{"a", 31}}), kT0).ok());
  ASSERT_TRUE(rule.Eval(Over({}), kT0 + kMinute).ok());
  EXPECT_TRUE(rule.Alerts().empty());
  ASSERT_TRUE(rule.Eval(Over({{"a", 31}}), kT0 + 2 * kMinute).ok());
  EXPECT_EQ(rule.Alerts()[0].active_at_ms, kT0 + 2 * kMinute);
}

TEST(AlertingRule, WithoutForFiresAtOnce) {
  AlertingRule rule = Rule("");
  ASSERT_TRUE(rule.Eval(Over({{"b", 40}}), kT0).ok());
  EXPECT_EQ(StatesOf(rule), std::vector<std::string>{"b:firing"});
}

TEST(AlertingRule, KeepFiringForHoldsAFiringAlertAfterItsSeriesWent) {
  AlertingRule rule = Rule("        keep_firing_for: 2m\n");
  ASSERT_TRUE(rule.Eval(Over({{"a", 31}}), kT0).ok());
  ASSERT_TRUE(rule.Eval(Over({}), kT0 + kMinute).ok());
  EXPECT_EQ(StatesOf(rule), std::vector<std::string>{"a:firing"});
  Result<Vector> samples = rule.Eval(Over({}), kT0 + 2 * kMinute);
  EXPECT_EQ(StatesOf(rule), std::vector<std::string>{"a:firing"});
  EXPECT_EQ(samples->size(), 2u) << "still in ALERTS";
  ASSERT_TRUE(rule.Eval(Over({}), kT0 + 3 * kMinute).ok());
  EXPECT_EQ(StatesOf(rule), std::vector<std::string>{"a:inactive"});
}

TEST(AlertingRule, ARecoveredAlertStartsOverAsPending) {
  AlertingRule rule = Rule("        for: 1m\n");
  ASSERT_TRUE(rule.Eval(Over({{"a", 31}}), kT0).ok());
  ASSERT_TRUE(rule.Eval(Over({{"a", 31}}), kT0 + kMinute).ok());
  ASSERT_TRUE(rule.Eval(Over({}), kT0 + 2 * kMinute).ok());
  ASSERT_TRUE(rule.Eval(Over({{"a", 31}}), kT0 + 3 * kMinute).ok());
  EXPECT_EQ(StatesOf(rule), std::vector<std::string>{"a:pending"});
  EXPECT_EQ(rule.Alerts()[0].resolved_at_ms, 0);
}

TEST(AlertingRule, LabelsAndAnnotationsAreExpandedPerAlert) {
  AlertingRule rule = Rule(
      "        labels:\n          severity: '{{ if gt $value 35.0 }}critical{{ else }}warning{{ "
      "end }}'\n        annotations:\n          summary: 'phase {{ $labels.phase }} at {{ $value "
      "}} A on {{ $externalLabels.site }}'\n          bad: '{{ humanize $labels.phase }}'\n");
  ASSERT_TRUE(rule.Eval(Over({{"a", 31.5}, {"b", 40}}), kT0).ok());
  std::vector<Alert> alerts = rule.Alerts();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].labels,
            (Labels{{"alertname", "PhaseOverload"}, {"phase", "a"}, {"severity", "warning"}}));
  EXPECT_EQ(LabelValue(alerts[1].labels, "severity"), "critical");
  EXPECT_EQ(LabelValue(alerts[0].annotations, "summary"), "phase a at 31.5 A on home");
  const std::string_view bad = LabelValue(alerts[0].annotations, "bad");
  EXPECT_TRUE(
      bad.starts_with("<error expanding template: error executing template "
                      "__alert_PhaseOverload: template: __alert_PhaseOverload:1:"))
      << bad;
  EXPECT_NE(bad.find(":1:115: executing \"__alert_PhaseOverload\" at <humanize $labels.phase>: "
                     "error calling humanize"),
            std::string_view::npos)
      << bad;
}

TEST(AlertingRule, TwoSeriesWithOneAlertLabelSetAreAnError) {
  AlertingRule rule = Rule("");
  Vector result = {{{{"__name__", "current_amperes"}, {"phase", "a"}}, 0, 31},
                   {{{"__name__", "voltage_volts"}, {"phase", "a"}}, 0, 31}};
  Result<Vector> samples = rule.Eval(result, kT0);
  EXPECT_EQ(samples.status().message(),
            "vector contains metrics with the same labelset after applying alert labels");
}

TEST(AlertingRule, MoreAlertsThanTheLimitAreAnErrorAndForgotten) {
  AlertingRule rule = Rule("");
  Result<Vector> samples = rule.Eval(Over({{"a", 31}, {"b", 31}, {"c", 31}}), kT0, 2);
  EXPECT_EQ(samples.status().message(), "exceeded limit of 2 with 3 alerts");
  EXPECT_TRUE(rule.Alerts().empty());
}

TEST(AlertingRule, FiringAlertsAreSentOncePerResendDelayAndResolvedOnce) {
  AlertingRule rule = Rule("        for: 1m\n");
  const int64_t resend = 2 * kMinute;
  ASSERT_TRUE(rule.Eval(Over({{"a", 31}}), kT0).ok());
  EXPECT_TRUE(rule.TakeAlertsToSend(kT0, resend, kMinute).empty()) << "pending is not sent";
  ASSERT_TRUE(rule.Eval(Over({{"a", 31}}), kT0 + kMinute).ok());
  std::vector<Alert> sent = rule.TakeAlertsToSend(kT0 + kMinute, resend, kMinute);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].valid_until_ms, kT0 + kMinute + 4 * resend);
  EXPECT_TRUE(rule.TakeAlertsToSend(kT0 + 3 * kMinute, resend, kMinute).empty());
  EXPECT_EQ(rule.TakeAlertsToSend(kT0 + 3 * kMinute + 1, resend, kMinute).size(), 1u);
  ASSERT_TRUE(rule.Eval(Over({}), kT0 + 4 * kMinute).ok());
  sent = rule.TakeAlertsToSend(kT0 + 4 * kMinute, resend, kMinute);
  ASSERT_EQ(sent.size(), 1u) << "resolved since last sent";
  EXPECT_EQ(sent[0].resolved_at_ms, kT0 + 4 * kMinute);
  EXPECT_TRUE(rule.TakeAlertsToSend(kT0 + 5 * kMinute, resend, kMinute).empty());
}

TEST(AlertingRule, RestoredAlertsKeepTheirForProgress) {
  AlertingRule before = Rule("        for: 10m\n");
  ASSERT_TRUE(before.Eval(Over({{"a", 31}}), kT0).ok());
  AlertingRule after = Rule("        for: 10m\n");
  after.RestoreAlerts(before.Alerts());
  ASSERT_TRUE(after.Eval(Over({{"a", 31}}), kT0 + 10 * kMinute).ok());
  EXPECT_EQ(StatesOf(after), std::vector<std::string>{"a:firing"});
}

}  // namespace
}  // namespace wattline::aggregator
