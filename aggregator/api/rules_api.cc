#include "aggregator/api/rules_api.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "aggregator/api/api_response.h"
#include "common/rfc3339.h"

namespace wattline::aggregator {
namespace {

using Json = nlohmann::ordered_json;

Json LabelsObject(const Labels& labels) {
  Json object = Json::object();
  for (const Label& label : labels) object[label.name] = label.value;
  return object;
}

// Go's strconv.FormatFloat(v, 'e', -1, 64): "2.7e+00", "NaN", "+Inf".
std::string FormatGoFloatE(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const std::to_chars_result printed =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  return std::string(buffer, printed.ptr);
}

// Never evaluated: Go's zero time.
std::string EvaluationTime(int64_t unix_ms) {
  return unix_ms == 0 ? "0001-01-01T00:00:00Z" : FormatRfc3339(unix_ms);
}

Json AlertObject(const Alert& alert) {
  Json object = {{"labels", LabelsObject(alert.labels)},
                 {"annotations", LabelsObject(alert.annotations)},
                 {"state", AlertStateName(alert.state)},
                 {"activeAt", FormatRfc3339(alert.active_at_ms)}};
  if (alert.keep_firing_since_ms != 0) {
    object["keepFiringSince"] = FormatRfc3339(alert.keep_firing_since_ms);
  }
  object["value"] = FormatGoFloatE(alert.value);
  return object;
}

// Prometheus lists an alerting rule's active alerts only, not the resolved
// ones it keeps to notify.
Json ActiveAlerts(const std::vector<Alert>& alerts) {
  Json list = Json::array();
  for (const Alert& alert : alerts) {
    if (alert.state != AlertState::kInactive) list.push_back(AlertObject(alert));
  }
  return list;
}

Json RuleObject(const RuleStatus& rule) {
  const RuleSpec& spec = rule.spec;
  Json object = Json::object();
  if (spec.kind == RuleSpec::Kind::kAlerting) {
    object["state"] = AlertStateName(rule.state);
    object["name"] = spec.name;
    object["query"] = spec.expr;
    object["duration"] = static_cast<double>(spec.for_ms) / 1000;
    object["keepFiringFor"] = static_cast<double>(spec.keep_firing_for_ms) / 1000;
    object["labels"] = LabelsObject(spec.labels);
    object["annotations"] = LabelsObject(spec.annotations);
    object["alerts"] = ActiveAlerts(rule.alerts);
  } else {
    object["name"] = spec.name;
    object["query"] = spec.expr;
    object["labels"] = LabelsObject(spec.labels);
  }
  object["health"] = rule.health;
  if (!rule.last_error.empty()) object["lastError"] = rule.last_error;
  object["evaluationTime"] = rule.evaluation_seconds;
  object["lastEvaluation"] = EvaluationTime(rule.last_evaluation_ms);
  object["type"] = spec.kind == RuleSpec::Kind::kAlerting ? "alerting" : "recording";
  return object;
}

HttpResponse Success(const Json& data) {
  return SuccessResponse(data.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace

HttpResponse RulesResponse(const std::vector<RuleGroupStatus>& groups, const HttpRequest& request) {
  const std::string& type = request.Param("type");
  if (!type.empty() && type != "alert" && type != "record") {
    return ErrorResponse(ApiErrorType::kBadData, "not supported value \"" + type + "\"");
  }
  Json list = Json::array();
  for (const RuleGroupStatus& group : groups) {
    Json rules = Json::array();
    for (const RuleStatus& rule : group.rules) {
      const bool alerting = rule.spec.kind == RuleSpec::Kind::kAlerting;
      if ((type == "alert" && !alerting) || (type == "record" && alerting)) continue;
      rules.push_back(RuleObject(rule));
    }
    list.push_back({{"name", group.name},
                    {"file", group.file},
                    {"rules", std::move(rules)},
                    {"interval", static_cast<double>(group.interval_ms) / 1000},
                    {"limit", group.limit},
                    {"evaluationTime", group.evaluation_seconds},
                    {"lastEvaluation", EvaluationTime(group.last_evaluation_ms)}});
  }
  return Success({{"groups", std::move(list)}});
}

HttpResponse AlertsResponse(const std::vector<RuleGroupStatus>& groups) {
  Json alerts = Json::array();
  for (const RuleGroupStatus& group : groups) {
    for (const RuleStatus& rule : group.rules) {
      for (Json& alert : ActiveAlerts(rule.alerts)) alerts.push_back(std::move(alert));
    }
  }
  return Success({{"alerts", std::move(alerts)}});
}

}  // namespace wattline::aggregator
