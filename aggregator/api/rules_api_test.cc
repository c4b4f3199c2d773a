#include "aggregator/api/rules_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wattline::aggregator {
namespace {

using Json = nlohmann::json;

std::vector<RuleGroupStatus> Groups() {
  Result<RuleFile> file = ParseRuleFile(R"(groups:
  - name: power
    interval: 30s
    rules:
      - record: home:power_watts:sum
        expr: sum(power_watts)
      - alert: HighPower
        expr: power_watts > 1800
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.device }}"}
)",
                                        "/etc/wattline/rules/home.yml");
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  RuleGroupStatus group;
  group.name = "power";
  group.file = "/etc/wattline/rules/home.yml";
  group.interval_ms = 30'000;
  group.last_evaluation_ms = 1'767'225'600'250;
  group.evaluation_seconds = 0.002;
  RuleStatus recording;
  recording.spec = file->groups[0].rules[0];
  recording.health = "ok";
  recording.last_evaluation_ms = group.last_evaluation_ms;
  RuleStatus alerting;
  alerting.spec = file->groups[0].rules[1];
  alerting.health = "err";
  alerting.last_error = "query timed out in expression evaluation";
  alerting.state = AlertState::kFiring;
  Alert firing;
  firing.state = AlertState::kFiring;
  firing.labels = {{"alertname", "HighPower"}, {"device", "oven"}, {"severity", "page"}};
  firing.annotations = {{"summary", "oven"}};
  firing.value = 2700;
  firing.active_at_ms = 1'767'225'300'000;
  Alert resolved = firing;
  resolved.state = AlertState::kInactive;
  resolved.labels[1].value = "kettle";
  alerting.alerts = {firing, resolved};
  group.rules = {recording, alerting};
  return {group};
}

Json DataOf(const HttpResponse& response) {
  EXPECT_EQ(response.status, 200) << response.body;
  return Json::parse(response.body)["data"];
}

HttpRequest WithType(const std::string& type) {
  HttpRequest request;
  request.method = "GET";
  if (!type.empty()) request.params = {{"type", type}};
  return request;
}

TEST(RulesApi, RulesInPrometheusShape) {
  const Json data = DataOf(RulesResponse(Groups(), WithType("")));
  const Json& group = data["groups"][0];
  EXPECT_EQ(group["name"], "power");
  EXPECT_EQ(group["file"], "/etc/wattline/rules/home.yml");
  EXPECT_EQ(group["interval"], 30);
  EXPECT_EQ(group["lastEvaluation"], "2026-01-01T00:00:00.25Z");
  const Json& recording = group["rules"][0];
  EXPECT_EQ(recording["type"], "recording");
  EXPECT_EQ(recording["query"], "sum(power_watts)");
  EXPECT_EQ(recording["health"], "ok");
  EXPECT_FALSE(recording.contains("lastError"));
  const Json& alerting = group["rules"][1];
  EXPECT_EQ(alerting["type"], "alerting");
  EXPECT_EQ(alerting["state"], "firing");
  EXPECT_EQ(alerting["duration"], 300);
  EXPECT_EQ(alerting["labels"], Json::parse(R"({"severity":"page"})"));
  EXPECT_EQ(alerting["lastError"], "query timed out in expression evaluation");
  EXPECT_EQ(alerting["lastEvaluation"], "0001-01-01T00:00:00Z") << "never evaluated";
  ASSERT_EQ(alerting["alerts"].size(), 1u) << "the resolved alert is not listed";
  EXPECT_EQ(alerting["alerts"][0]["value"], "2.7e+03");
  EXPECT_EQ(alerting["alerts"][0]["activeAt"], "2025-12-31T23:55:00Z");
}

TEST(RulesApi, TypeSelectsAlertingOrRecordingRules) {
  EXPECT_EQ(DataOf(RulesResponse(Groups(), WithType("alert")))["groups"][0]["rules"][0]["type"],
            "alerting");
  EXPECT_EQ(DataOf(RulesResponse(Groups(), WithType("record")))["groups"][0]["rules"].size(), 1u);
  const HttpResponse bad = RulesResponse(Groups(), WithType("alerts"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json::parse(bad.body)["error"], "not supported value \"alerts\"");
}

TEST(RulesApi, AlertsListsActiveAlertsOfEveryRule) {
  const Json data = DataOf(AlertsResponse(Groups()));
  ASSERT_EQ(data["alerts"].size(), 1u);
  EXPECT_EQ(data["alerts"][0]["labels"]["device"], "oven");
  EXPECT_EQ(data["alerts"][0]["state"], "firing");
  EXPECT_EQ(DataOf(AlertsResponse({})), Json::parse(R"({"alerts":[]})"));
}

}  // namespace
}  // namespace wattline::aggregator
