// /api/v1/rules and /api/v1/alerts (docs/api.md) in Prometheus 2.42's JSON,
// from the rule manager's groups (rules/rule_manager.h), so Grafana's alert
// views show the aggregator's rules and alerts.
//
// Differences: a rule's "query" is its expression as written in its file
// (Prometheus prints its parsed form).
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_API_RULES_API_H_
#define WATTLINE_AGGREGATOR_API_RULES_API_H_

#include <cstdint>
#include <string>
#include <vector>

#include "aggregator/http/http_types.h"
#include "aggregator/rules/rule_group.h"

namespace wattline::aggregator {

// GET /api/v1/rules[?type=alert|record].
HttpResponse RulesResponse(const std::vector<RuleGroupStatus>& groups, const HttpRequest& request);

// GET /api/v1/alerts: the pending and firing alerts of every rule.
HttpResponse AlertsResponse(const std::vector<RuleGroupStatus>& groups);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_API_RULES_API_H_
