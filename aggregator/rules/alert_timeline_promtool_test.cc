// The same rule file gives the same alert timeline here as in Prometheus
// 2.42: our rule groups evaluate it minute by minute over series in a real
// store, and the alerts firing at each minute (labels and annotations) and
// the recording rule's output are written as the expectations of a
// `promtool test rules` file over the same input series. promtool (Debian's
// prometheus package) evaluates the file with Prometheus's own rule code and
// must agree at every minute.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "aggregator/query/parser.h"
#include "aggregator/rules/promtool.h"
#include "aggregator/rules/rules_test_store.h"
#include "aggregator/storage/series_reader.h"

namespace wattline::aggregator {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int kMinutes = 30;  // evaluated at 0m, 1m, ... 30m

constexpr char kRules[] = R"(groups:
  - name: supply
    interval: 1m
    rules:
      - record: house:power_watts:sum
        expr: sum(power_watts)
      - alert: HouseOverload
        expr: house:power_watts:sum > 5000
        for: 2m
        annotations:
          summary: "the house draws {{ $value | humanize }}W"
      - alert: HighCurrent
        expr: current_amperes > 25
        for: 3m
        labels:
          severity: '{{ if gt $value 28.0 }}critical{{ else }}warning{{ end }}'
        annotations:
          summary: "phase {{ $labels.phase }} carries {{ $value }} A"
      - alert: HotAttic
        expr: temperature_celsius{room="attic"} > 30
        keep_firing_for: 2m
        annotations:
          summary: "{{ $labels.room }} at {{ $value }}"
)";

// One input series: its value at each minute; NaN: no sample ("_"), and
// kStaleNaNBits: a stale marker ("stale").
struct InputSeries {
  Labels labels;
  std::vector<double> values;
};

double Stale() { return std::bit_cast<double>(kStaleNaNBits); }
constexpr double kGap = std::numeric_limits<double>::quiet_NaN();

std::vector<InputSeries> Inputs() {
  auto minutes = [](auto value_at) {
    std::vector<double> values;
    for (int m = 0; m <= kMinutes; ++m) values.push_back(value_at(m));
    return values;
  };
  return {
      {{{"__name__", "power_watts"}, {"device", "oven"}},
       minutes([](int m) { return m >= 4 && m < 11 ? 3500.0 : 100.0; })},
      {{{"__name__", "power_watts"}, {"device", "heatpump"}},
       minutes([](int m) { return m >= 6 && m < 20 ? 2000.0 : 400.0; })},
      {{{"__name__", "current_amperes"}, {"phase", "a"}},
       minutes([](int m) { return (m >= 5 && m < 13) || (m >= 17 && m < 19) ? 29.5 : 10.0; })},
      {{{"__name__", "current_amperes"}, {"phase", "b"}},
       minutes([](int m) { return m >= 8 && m < 22 ? 26.0 : 12.0; })},
      {{{"__name__", "temperature_celsius"}, {"room", "attic"}}, minutes([](int m) {
         if (m >= 10 && m < 14) return kGap;  // the sensor drops out
         if (m == 24) return Stale();         // and goes away
         if (m > 24) return kGap;
         return m >= 3 && m < 8 ? 31.0 : 24.0;
       })},
  };
}

std::string ValuesText(const std::vector<double>& values) {
  std::string out;
  for (double value : values) {
    if (!out.empty()) out += " ";
    if (std::bit_cast<uint64_t>(value) == kStaleNaNBits) {
      out += "stale";
    } else if (std::isnan(value)) {
      out += "_";
    } else {
      out += FormatGoFloatG(value);
    }
  }
  return out;
}

class AlertTimelinePromtool : public RulesOverStore {
 protected:
  void SetUp() override {
    const std::string missing = PromtoolMissing();
    if (!missing.empty()) GTEST_SKIP() << "SKIPPED: " << missing;
    // promtool's series start at the Unix epoch; the clock stands after them.
    clock_.SetUnixMs((kMinutes + 60) * kMinute);
    RulesOverStore::SetUp();
  }
};

TEST_F(AlertTimelinePromtool, EveryMinutesFiringAlertsEqualPrometheusOwn) {
  std::string input;
  for (const InputSeries& series : Inputs()) {
    SeriesSamples samples{series.labels, {}, {}};
    for (int m = 0; m <= kMinutes; ++m) {
      const double value = series.values[static_cast<size_t>(m)];
      if (std::isnan(value) && std::bit_cast<uint64_t>(value) != kStaleNaNBits) continue;
      samples.timestamps_ms.push_back(m * kMinute);
      samples.values.push_back(value);
    }
    ASSERT_TRUE(store_->Write({samples}).ok());
    input += "      - series: " + YamlString(SeriesSelector(series.labels)) +
             "\n        values: " + YamlString(ValuesText(series.values)) + "\n";
  }
  Result<RuleFile> file = ParseRuleFile(kRules, "rules.yml");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  RuleGroup group(file->groups[0], "rules.yml", RuleGroupOptions{});

  std::string alert_tests;
  std::string expr_tests;
  std::map<std::string, int> firing_minutes;  // per alert, to see the test has teeth
  for (int m = 0; m <= kMinutes; ++m) {
    const int64_t t = m * kMinute;
    group.Eval(*engine_, t, Storer(), {});
    for (const RuleStatus& rule : group.Snapshot().rules) {
      ASSERT_EQ(rule.health, "ok") << rule.spec.name << ": " << rule.last_error;
      if (rule.spec.kind != RuleSpec::Kind::kAlerting) continue;
      alert_tests += "      - eval_time: " + std::to_string(m) +
                     "m\n        alertname: " + rule.spec.name + "\n        exp_alerts:";
      std::string alerts;
      for (const Alert& alert : rule.alerts) {
        if (alert.state != AlertState::kFiring) continue;
        ++firing_minutes[rule.spec.name];
        alerts += "\n          - exp_labels: " + LabelsYaml(alert.labels) +
                  "\n            exp_annotations: " + LabelsYaml(alert.annotations);
      }
      alert_tests += (alerts.empty() ? " []" : alerts) + "\n";
    }
    Result<std::unique_ptr<Expr>> expr = ParseExpr("house:power_watts:sum");
    ASSERT_TRUE(expr.ok());
    Result<QueryValue> recorded = engine_->Instant(**expr, t);
    ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
    const Vector& samples = std::get<Vector>(*recorded);
    ASSERT_EQ(samples.size(), 1u) << "at " << m << "m";
    expr_tests += "      - expr: house:power_watts:sum\n        eval_time: " + std::to_string(m) +
                  "m\n        exp_samples:\n          - labels: 'house:power_watts:sum'\n"
                  "            value: " +
                  FormatGoFloatG(samples[0].value) + "\n";
  }
  for (const char* name : {"HouseOverload", "HighCurrent", "HotAttic"}) {
    EXPECT_GT(firing_minutes[name], 0) << name << " never fired: the scenario lost its teeth";
    EXPECT_LT(firing_minutes[name], kMinutes) << name;
  }

  std::ofstream(dir_.File("rules.yml")) << kRules;
  std::ofstream(dir_.File("test.yml"))
      << "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n"
      << "    input_series:\n"
      << input << "    alert_rule_test:\n"
      << alert_tests << "    promql_expr_test:\n"
      << expr_tests;
  std::string output;
  const int status = RunPromtool(dir_.path(), "test rules test.yml", &output);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("SUCCESS"), std::string::npos) << output;
}

}  // namespace
}  // namespace wattline::aggregator
