// The alerts of every alerting rule, saved after each evaluation round so a
// restart neither forgets a firing alert (and so never sends its
// resolution) nor notifies it again at once, nor resets a pending alert's
// `for`. A JSON file in the data directory, replaced atomically:
//
//   {"version": 1, "saved_at_ms": 1767225600000,
//    "rules": [{"file": "/etc/wattline/rules/home.yml", "group": "health",
//               "rule": "AgentSilent{severity=\"warning\"}", "occurrence": 0,
//               "alerts": [{"labels": {"alertname": "AgentSilent", ...},
//                           "annotations": {...}, "state": "firing",
//                           "value": 412, "active_at_ms": ..., "fired_at_ms": ...,
//                           "resolved_at_ms": 0, "last_sent_ms": ...,
//                           "valid_until_ms": ..., "keep_firing_since_ms": 0}]}]}
//
// A rule is known by its file, group, name and labels (its identity, as a
// reload matches rules) and which of the rules with that identity it is.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGGREGATOR_RULES_ALERT_STATE_FILE_H_
#define WATTLINE_AGGREGATOR_RULES_ALERT_STATE_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/rules/alerting_rule.h"
#include "common/status.h"

namespace wattline::aggregator {

struct SavedRuleAlerts {
  std::string file;
  std::string group;
  std::string rule;  // RuleIdentity() (rule_file.h)
  int64_t occurrence = 0;
  std::vector<Alert> alerts;

  friend bool operator==(const SavedRuleAlerts&, const SavedRuleAlerts&) = default;
};

struct SavedAlertState {
  int64_t saved_at_ms = 0;
  std::vector<SavedRuleAlerts> rules;

  friend bool operator==(const SavedAlertState&, const SavedAlertState&) = default;
};

std::string SerializeAlertState(const SavedAlertState& state);

// Errors: InvalidArgument naming what is wrong (a damaged file is not
// restored; the daemon logs it and starts without).
Result<SavedAlertState> ParseAlertState(std::string_view json);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_ALERT_STATE_FILE_H_
