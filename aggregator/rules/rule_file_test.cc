#include "aggregator/rules/rule_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "common/testing/temp_dir.h"

namespace wattline::aggregator {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";

// The errors of `text`, which must not parse.
std::string Errors(std::string_view text) {
  Result<RuleFile> file = ParseRuleFile(text, "rules.yml");
  if (file.ok()) {
    ADD_FAILURE() << "accepted:\n" << text;
    return "";
  }
  EXPECT_EQ(file.status().code(), Status::Code::kInvalidArgument);
  return file.status().message();
}

// Whether Prometheus's promtool accepts `text` as a rule file; nullopt when
// promtool is not installed.
std::optional<bool> PromtoolAccepts(const std::string& text, std::string* output) {
  if (::access(kPromtool, X_OK) != 0) return std::nullopt;
  testing::TempDir dir;
  std::ofstream(dir.File("rules.yml")) << text;
  const std::string command =
      std::string(kPromtool) + " check rules '" + dir.File("rules.yml") + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output->append(buffer, n);
  return pclose(pipe) == 0;
}

constexpr const char* kValidFile = R"(groups:
  - name: energy
    interval: 1m
    limit: 10
    rules:
      - record: device:energy_watt_hours:increase1h
        expr: sum by (device) (increase(energy_watt_hours_total[1h]))
        labels: {source: rules, area: home}
      - alert: AgentSilent
        expr: time() - max by (agent) (timestamp(up)) > 300
        for: 5m
        keep_firing_for: 30s
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.agent }} silent for {{ $value | humanizeDuration }}"
          description: "{{ if gt $value 600.0 }}long{{ else }}short{{ end }}"
  - name: empty
)";

TEST(RuleFile, ParsesGroupsAndRulesIntoSpecs) {
  Result<RuleFile> file = ParseRuleFile(kValidFile, "rules.yml");
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(file->source, "rules.yml");
  ASSERT_EQ(file->groups.size(), 2u);
  EXPECT_EQ(RuleCount(*file), 2u);
  const RuleGroupSpec& group = file->groups[0];
  EXPECT_EQ(group.name, "energy");
  EXPECT_EQ(group.interval_ms, 60'000);
  EXPECT_EQ(group.limit, 10);
  ASSERT_EQ(group.rules.size(), 2u);

  const RuleSpec& record = group.rules[0];
  EXPECT_EQ(record.kind, RuleSpec::Kind::kRecording);
  EXPECT_EQ(record.name, "device:energy_watt_hours:increase1h");
  EXPECT_EQ(record.expr, "sum by (device) (increase(energy_watt_hours_total[1h]))");
  EXPECT_NE(record.parsed, nullptr);
  EXPECT_EQ(record.labels, (Labels{{"area", "home"}, {"source", "rules"}}));  // sorted
  EXPECT_EQ(record.where, "rules.yml:6:9");

  const RuleSpec& alert = group.rules[1];
  EXPECT_EQ(alert.kind, RuleSpec::Kind::kAlerting);
  EXPECT_EQ(alert.name, "AgentSilent");
  EXPECT_EQ(alert.for_ms, 300'000);
  EXPECT_EQ(alert.keep_firing_for_ms, 30'000);
  EXPECT_EQ(alert.labels, (Labels{{"severity", "warning"}}));
  ASSERT_EQ(alert.annotations.size(), 2u);
  EXPECT_EQ(alert.annotations[0].name, "description");
  EXPECT_EQ(alert.annotations[1].value,
            "{{ $labels.agent }} silent for {{ $value | humanizeDuration }}");

  EXPECT_EQ(file->groups[1].name, "empty");
  EXPECT_TRUE(file->groups[1].rules.empty());
  EXPECT_EQ(file->groups[1].interval_ms, 0);
}

TEST(RuleFile, PromtoolAcceptsTheValidFile) {
  std::string output;
  const std::optional<bool> accepted = PromtoolAccepts(kValidFile, &output);
  if (!accepted) GTEST_SKIP() << "SKIPPED: " << kPromtool << " is not installed";
  EXPECT_TRUE(*accepted) << output;
}

TEST(RuleFile, RefusesUnknownFields) {
  EXPECT_EQ(Errors("groups: []\nextra: 1\n"),
            "rules.yml:2:8: field extra not found in type rulefmt.RuleGroups");
  EXPECT_EQ(Errors("groups:\n  - name: g\n    every: 1m\n    rules: []\n"),
            "rules.yml:3:12: group \"g\": field every not found in type rulefmt.RuleGroup");
  EXPECT_EQ(
      Errors("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n"
             "        typo: 1\n"),
      "rules.yml:6:15: group \"g\", rule 1, \"r\": field typo not found in type rulefmt.Rule");
}

TEST(RuleFile, RefusesEmptyAndRepeatedGroupNames) {
  EXPECT_EQ(Errors("groups:\n  - rules: []\n"), "rules.yml:2:5: Groupname must not be empty");
  EXPECT_EQ(Errors("groups:\n  - name: g\n  - name: g\n"),
            "rules.yml:3:5: groupname: \"g\" is repeated in the same file");
}

TEST(RuleFile, RefusesRuleWithBothOrNeitherRecordAndAlert) {
  EXPECT_EQ(Errors("groups:\n  - name: g\n    rules:\n      - record: r\n        alert: A\n"
                   "        expr: up\n"),
            "rules.yml:4:17: group \"g\", rule 1, \"A\": only one of 'record' and 'alert' must be "
            "set");
  EXPECT_EQ(Errors("groups:\n  - name: g\n    rules:\n      - expr: up\n"),
            "rules.yml:4:9: group \"g\", rule 1, \"\": one of 'record' or 'alert' must be set");
}

TEST(RuleFile, RefusesMissingOrBadExpressionAtItsPosition) {
  EXPECT_EQ(Errors("groups:\n  - name: g\n    rules:\n      - record: r\n"),
            "rules.yml:4:9: group \"g\", rule 1, \"r\": field 'expr' must be set in rule");
  const std::string bad =
      Errors("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(up\n");
  EXPECT_EQ(
      bad.rfind("rules.yml:5:15: group \"g\", rule 1, \"r\": could not parse expression: ", 0), 0u)
      << bad;
}

TEST(RuleFile, RefusesAlertingFieldsInRecordingRule) {
  EXPECT_EQ(Errors("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n"
                   "        for: 5m\n        keep_firing_for: 1m\n        annotations: {a: b}\n"),
            "rules.yml:4:17: group \"g\", rule 1, \"r\": invalid field 'annotations' in recording "
            "rule\n"
            "rules.yml:4:17: group \"g\", rule 1, \"r\": invalid field 'for' in recording rule\n"
            "rules.yml:4:17: group \"g\", rule 1, \"r\": invalid field 'keep_firing_for' in "
            "recording rule");
}

TEST(RuleFile, RefusesBadNames) {
  EXPECT_EQ(Errors("groups:\n  - name: g\n    rules:\n      - record: 1bad\n        expr: up\n"),
            "rules.yml:4:17: group \"g\", rule 1, \"1bad\": invalid recording rule name: 1bad");
  EXPECT_EQ(Errors("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
                   "        labels: {__name__: x, ok: y, bad-name: z}\n"),
            "rules.yml:6:17: group \"g\", rule 1, \"A\": invalid label name: __name__\n"
            "rules.yml:6:17: group \"g\", rule 1, \"A\": invalid label name: bad-name");
  EXPECT_EQ(Errors("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
                   "        annotations: {bad-name: z}\n"),
            "rules.yml:6:22: group \"g\", rule 1, \"A\": invalid annotation name: bad-name");
}

TEST(RuleFile, RefusesTemplatesThatDoNotParse) {
  EXPECT_EQ(Errors("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
                   "        labels: {team: \"{{ foo }}\"}\n"
                   "        annotations: {summary: \"{{ if true }}\"}\n"),
            "rules.yml:6:17: group \"g\", rule 1, \"A\": template: __alert_A:1: function \"foo\" "
            "not defined\n"
            "rules.yml:7:22: group \"g\", rule 1, \"A\": template: __alert_A:1: unexpected EOF");
  EXPECT_EQ(Errors("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
                   "        annotations: {v: \"{{ query \\\"up\\\" }}\"}\n"),
            "rules.yml:6:22: group \"g\", rule 1, \"A\": template: __alert_A:1: function "
            "\"query\" is not supported by Wattline's alert templates");
}

TEST(RuleFile, ReportsEveryErrorOnItsOwnLine) {
  const std::string errors = Errors(
      "groups:\n  - name: g\n    rules:\n      - record: r\n"
      "  - name: g\n    interval: soon\n    rules:\n      - alert: A\n        expr: up\n"
      "        for: never\n");
  EXPECT_EQ(std::count(errors.begin(), errors.end(), '\n'), 3) << errors;
  EXPECT_NE(errors.find("rules.yml:4:9: "), std::string::npos) << errors;
  EXPECT_NE(errors.find("rules.yml:5:5: groupname: \"g\" is repeated"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("rules.yml:6:15: group \"g\": 'interval': "), std::string::npos) << errors;
  EXPECT_NE(errors.find("rules.yml:10:14: group \"g\", rule 1, \"A\": 'for': "), std::string::npos)
      << errors;
}

TEST(RuleFile, YamlSyntaxErrorNamesLineAndColumn) {
  const std::string errors = Errors("groups:\n  - name: [unclosed\n");
  EXPECT_EQ(errors.rfind("rules.yml:", 0), 0u) << errors;
}

// Every file we refuse, Prometheus refuses too.
TEST(RuleFile, PromtoolRefusesWhatWeRefuse) {
  const char* const kBadFiles[] = {
      "groups: []\nextra: 1\n",
      "groups:\n  - name: g\n    every: 1m\n",
      "groups:\n  - rules: []\n",
      "groups:\n  - name: g\n  - name: g\n",
      "groups:\n  - name: g\n    rules:\n      - record: r\n        alert: A\n        expr: up\n",
      "groups:\n  - name: g\n    rules:\n      - expr: up\n",
      "groups:\n  - name: g\n    rules:\n      - record: r\n",
      "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(up\n",
      "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n        for: 5m\n",
      "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n"
      "        annotations: {a: b}\n",
      "groups:\n  - name: g\n    rules:\n      - record: 1bad\n        expr: up\n",
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
      "        labels: {__name__: x}\n",
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
      "        labels: {bad-name: x}\n",
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
      "        annotations: {summary: \"{{ foo }}\"}\n",
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n"
      "        annotations: {summary: \"{{ end }}\"}\n",
  };
  for (const char* text : kBadFiles) {
    Result<RuleFile> ours = ParseRuleFile(text, "rules.yml");
    EXPECT_FALSE(ours.ok()) << text;
    std::string output;
    const std::optional<bool> accepted = PromtoolAccepts(text, &output);
    if (!accepted) GTEST_SKIP() << "SKIPPED: " << kPromtool << " is not installed";
    EXPECT_FALSE(*accepted) << text << "\n" << output;
  }
}

}  // namespace
}  // namespace wattline::aggregator
