// Our alert templates against Prometheus 2.42's own: promtool (Debian's
// prometheus package) expands the annotations of a rule file's alerts in
// `promtool test rules`, and compares them with exp_annotations. These
// tests write our expansions there, so they pass only when Prometheus
// accepts every template and makes byte for byte our expansion of it,
// errors included; and check with
// `promtool check rules` that the templates we refuse when parsing are
// refused by Prometheus with the same message.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "aggregator/rules/alert_template.h"
#include "aggregator/rules/promtool.h"
#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

// The series of the test, each an alert of the rule `expr: m`.
struct Series {
  Labels labels;  // with __name__, which $labels has too
  const char* value;
};

const std::vector<Series>& TestSeries() {
  static const std::vector<Series>* const kSeries = new std::vector<Series>{
      {{{"__name__", "m"}, {"instance", "host-1.example:9100"}, {"job", "node"}}, "1.5"},
      {{{"__name__", "m"}, {"device", "pv\"roof\""}, {"instance", "[::1]:80"}, {"job", "x"}},
       "1234567.25"},
      {{{"__name__", "m"}, {"instance", "a"}, {"job", "node"}}, "0.000012"},
      {{{"__name__", "m"}, {"instance", "b"}, {"job", "node"}}, "NaN"},
      {{{"__name__", "m"}, {"instance", "c"}, {"job", "node"}}, "-86461.5"},
  };
  return *kSeries;
}

const Labels& ExternalLabels() {
  static const Labels* const kLabels = new Labels{{"cluster", "c1"}, {"region", "eu"}};
  return *kLabels;
}

constexpr const char* kExternalUrl = "http://prom.example:9090/prefix";

// Templates that parse; each is expanded for every series.
const std::vector<std::string>& Templates() {
  static const std::vector<std::string>* const kTemplates = new std::vector<std::string>{
      "{{ $labels.instance }} of {{ $labels.job }} is {{ $value }}",
      "{{ .Labels.job }}|{{ $labels.missing }}|{{ index $labels \"job\" }}|{{ $.Value }}",
      "{{ $value | humanize }} {{ humanize1024 $value }} {{ humanizePercentage $value }}",
      "{{ humanizeDuration $value }}|{{ humanizeTimestamp $value }}",
      "{{ printf \"%.2f|%v|%g|%e|%8.3f|%-6d|%q|%x\" $value $value $value $value $value 42 "
      "$labels.job \"hi\" }}",
      "{{ if gt $value 100.0 }}high{{ else if gt $value 1.0 }}mid{{ else }}low{{ end }}",
      "{{ with $labels.device }}device {{ . }}{{ else }}no device{{ end }}",
      "{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}",
      "{{ range $labels }}[{{ . }}]{{ end }}{{ range $externalLabels }}<{{ . }}>{{ end }}",
      "{{ range $v := $externalLabels }}{{ $v }}{{ else }}none{{ end }}",
      "{{ $x := \"a\" }}{{ if true }}{{ $x = \"b\" }}{{ $y := \"c\" }}{{ $y }}{{ end }}{{ $x }}",
      "{{ $labels.instance | stripPort | toUpper }} {{ title \"hello world-wide o'neil\" }}",
      "{{ reReplaceAll \"^(.*):([0-9]+)$\" \"${2}@$1 $$\" $labels.instance }}",
      "{{ match \"^host\" $labels.instance }} {{ toLower \"ÀB\" }}",
      "{{ and $labels.job $labels.instance }}|{{ or $labels.missing \"dflt\" }}|{{ not 0 }}",
      "{{ eq $labels.job \"x\" \"node\" }}|{{ ne 1 2 }}|{{ lt \"a\" \"b\" }}|{{ ge 2 2 }}",
      "{{ len $labels }} {{ len $labels.job }} {{ index \"abc\" 1 }}",
      "{{ print 1 2 \"x\" 3.5 true }}|{{ println \"a\" 1 }}|{{ print $externalLabels }}",
      "{{ html \"<b>&'\\\"\" }} {{ js \"a'b=<c>\\n\" }} {{ urlquery \"a b&c/é\" }}",
      "{{ \"tab\\there\\x21\\u00e9\" }} {{ `raw\\n` }} {{ 0x1F }} {{ 1e3 }} {{ 1.5e-7 }} {{ 'a' }}",
      "a   {{- \" trimmed \" -}}   b {{/* comment */}} c {{- /* trimmed */ -}} d",
      "line1\n  {{- $labels.job }}\n{{ $value -}}\n\n  end",
      "{{ $externalURL }} {{ .ExternalURL }} {{ $externalLabels.region }}",
      "{{ . }}",
      "{{ safeHtml \"<i>\" }} {{ printf \"%s\" (safeHtml \"x\") }}",
      "{{ humanize \"1e3\" }} {{ humanize 1234 }} {{ humanizeDuration 0.0015 }}",
      // Execution errors, in Prometheus's words.
      "{{ humanize \"abc\" }}",
      "{{ lt 1 1.5 }}",
      "{{ $labels.job.x }}",
      "{{ toUpper $value }}",
      "{{ .Nope }}",
      "{{ eq $labels $labels }}",
      "{{ range $value }}{{ end }}",
      "{{ reReplaceAll \"(\" \"x\" \"y\" }}",
      "x\n{{ index \"abc\" 5 }}",
  };
  return *kTemplates;
}

// Templates both Prometheus and we refuse when parsing.
const std::vector<std::string>& BadTemplates() {
  static const std::vector<std::string>* const kTemplates = new std::vector<std::string>{
      "{{ foo }}",
      "{{ end }}",
      "{{ if true }}",
      "{{ else }}",
      "{{ }}",
      "{{ $x }}",
      "{{ .a.b }",
      "{{ (1 }}",
      "{{ 1) }}",
      "a\n{{ \"x }}",
      "{{ 089 }}",
      "{{ 'ab' }}",
      "{{ 1 | 2 }}",
      "{{/* x */ }}",
      "{{$x=1}}",
      "{{ nil.a }}",
      "{{ if }}{{ end }}",
      "{{ range $a, $b, $c := . }}{{ end }}",
      "{{ with $x := 1 }}{{ end }}{{ $x }}",
      "{{ if 1 }}{{ else }}{{ else }}{{ end }}",
      "{{ range . }}{{ else if 1 }}{{ end }}",
  };
  return *kTemplates;
}

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Prometheus's annotation for a template that fails.
std::string PrometheusError(const std::string& message) {
  return PrometheusTemplateError("__alert_A", message);
}

class AlertTemplatePromtool : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string missing = PromtoolMissing();
    if (!missing.empty()) GTEST_SKIP() << "SKIPPED: " << missing;
  }
  testing::TempDir dir_;
};

TEST_F(AlertTemplatePromtool, ExpansionsEqualPrometheusOwn) {
  std::string rules = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: m\n    annotations:\n";
  for (size_t i = 0; i < Templates().size(); ++i) {
    rules += "      x" + std::to_string(i) + ": " + YamlString(Templates()[i]) + "\n";
  }
  std::string input;
  std::string alerts;
  int failures = 0;
  for (const Series& series : TestSeries()) {
    input += "  - series: " + YamlString(SeriesSelector(series.labels)) + "\n    values: '" +
             series.value + "'\n";
    const AlertTemplateData data{&series.labels, &ExternalLabels(), kExternalUrl,
                                 std::strtod(series.value, nullptr)};
    alerts += "    - exp_labels: " + LabelsYaml(series.labels) + "\n      exp_annotations:\n";
    for (size_t i = 0; i < Templates().size(); ++i) {
      Result<AlertTemplate> parsed = ParseAlertTemplate(Templates()[i]);
      ASSERT_TRUE(parsed.ok()) << Templates()[i] << ": " << parsed.status().message();
      Result<std::string> expanded = parsed->Expand(data);
      const std::string annotation =
          expanded.ok() ? *expanded : PrometheusError(expanded.status().message());
      failures += expanded.ok() ? 0 : 1;
      alerts += "        x" + std::to_string(i) + ": " + YamlString(annotation) + "\n";
    }
  }
  EXPECT_EQ(failures, 9 * static_cast<int>(TestSeries().size())) << "the error cases fail";
  WriteText(dir_.File("rules.yml"), rules);
  WriteText(dir_.File("test.yml"),
            "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n- interval: 1m\n"
            "  external_labels: {cluster: c1, region: eu}\n"
            "  external_url: " +
                std::string(kExternalUrl) + "\n  input_series:\n" + input +
                "  alert_rule_test:\n  - eval_time: 0m\n    alertname: A\n    exp_alerts:\n" +
                alerts);
  std::string output;
  const int status = RunPromtool(dir_.path(), "test rules test.yml", &output);
  EXPECT_EQ(status, 0) << output << "\n---- test.yml\n" << alerts;
  EXPECT_NE(output.find("SUCCESS"), std::string::npos) << output;
}

TEST_F(AlertTemplatePromtool, ParseErrorsEqualPrometheusOwn) {
  std::string rules = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: m\n    annotations:\n";
  std::vector<std::string> expected;
  for (size_t i = 0; i < BadTemplates().size(); ++i) {
    const std::string name = "x" + std::to_string(i);
    rules += "      " + name + ": " + YamlString(BadTemplates()[i]) + "\n";
    Result<AlertTemplate> parsed = ParseAlertTemplate(BadTemplates()[i]);
    ASSERT_FALSE(parsed.ok()) << BadTemplates()[i];
    expected.push_back("annotation \"" + name +
                       "\": template: __alert_A:" + parsed.status().message());
  }
  WriteText(dir_.File("rules.yml"), rules);
  std::string output;
  const int status = RunPromtool(dir_.path(), "check rules rules.yml", &output);
  EXPECT_NE(status, 0) << output;
  for (const std::string& line : expected) {
    EXPECT_NE(output.find(line + "\n"), std::string::npos) << "missing: " << line << "\n" << output;
  }
}

}  // namespace
}  // namespace wattline::aggregator
