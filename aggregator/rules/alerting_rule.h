// An alerting rule's alerts and their states, with Prometheus 2.42's
// semantics (rules/alerting.go): each series of the rule's expression result
// is an alert, identified by its labels (the series' labels less __name__,
// plus the rule's expanded labels and alertname).
//
//   inactive --(in the result)--> pending --(for `for`)--> firing
//   pending --(gone from the result)--> dropped
//   firing --(gone, past keep_firing_for)--> inactive ("resolved"), kept
//                                            15 minutes to be sent resolved
//
// An alert found again while it is inactive starts over as pending. Each
// evaluation gives the ALERTS{alertstate="pending"|"firing"} (1) and
// ALERTS_FOR_STATE (the time it became active, in whole seconds) samples of
// the pending and firing alerts, for the group to store.
//
// Thread-safety: not thread-safe; a rule group evaluates its rules on one
// thread and copies what the API shows (Alerts()).
#ifndef WATTLINE_AGGREGATOR_RULES_ALERTING_RULE_H_
#define WATTLINE_AGGREGATOR_RULES_ALERTING_RULE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "aggregator/query/value.h"
#include "aggregator/rules/alert_template.h"
#include "aggregator/rules/rule_file.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::aggregator {

enum class AlertState { kInactive, kPending, kFiring };

// "inactive", "pending", "firing": as the API and ALERTS spell them.
std::string_view AlertStateName(AlertState state);

struct Alert {
  AlertState state = AlertState::kInactive;
  Labels labels;       // identifying: sorted, with alertname
  Labels annotations;  // by name, expanded
  double value = 0;    // the expression's value at the last evaluation
  // Milliseconds since the epoch; 0: not (yet).
  int64_t active_at_ms = 0;
  int64_t fired_at_ms = 0;
  int64_t resolved_at_ms = 0;
  int64_t last_sent_ms = 0;
  int64_t valid_until_ms = 0;  // what a notification gives as endsAt while firing
  int64_t keep_firing_since_ms = 0;

  friend bool operator==(const Alert&, const Alert&) = default;
};

// What templates see besides each alert's labels and value.
struct AlertContext {
  Labels external_labels;
  std::string external_url;
};

// How long a resolved alert stays, sent as resolved with every
// notification round (Prometheus's resolvedRetention).
inline constexpr int64_t kResolvedRetentionMs = 15 * 60 * 1000;

class AlertingRule {
 public:
  // REQUIRES: spec.kind == kAlerting, and its templates parse (rule_file.h
  // checked them).
  AlertingRule(RuleSpec spec, AlertContext context);

  // Takes the result of the rule's expression at `time_ms` and moves the
  // alerts on; returns the ALERTS and ALERTS_FOR_STATE samples at
  // `time_ms`. `limit` > 0: more pending and firing alerts than that is an
  // error and forgets them all, as in Prometheus. Errors
  // (FailedPrecondition): two series with one label set once the rule's
  // labels are applied; the limit.
  Result<Vector> Eval(const Vector& result, int64_t time_ms, int64_t limit = 0);

  // The alerts to notify at `time_ms`: firing ones not sent for
  // `resend_delay_ms`, and resolved ones not sent since they resolved.
  // Marks them sent, valid until four times the larger of the resend delay
  // and the group's interval (two failed rounds are survived).
  std::vector<Alert> TakeAlertsToSend(int64_t time_ms, int64_t resend_delay_ms,
                                      int64_t interval_ms);

  // Pending and firing alerts, and resolved ones still kept, by labels.
  std::vector<Alert> Alerts() const;
  // The highest state of its alerts.
  AlertState State() const;

  // The alerts to carry over a reload or restart: same rule name and labels.
  void RestoreAlerts(std::vector<Alert> alerts);

  const RuleSpec& spec() const { return spec_; }

 private:
  // A template's expansion, or Prometheus's "<error expanding template: ...>".
  std::string Expand(const AlertTemplate& text, const AlertTemplateData& data) const;

  RuleSpec spec_;
  AlertContext context_;
  std::vector<std::pair<std::string, AlertTemplate>> label_templates_;
  std::vector<std::pair<std::string, AlertTemplate>> annotation_templates_;
  std::map<Labels, Alert> active_;  // by labels
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_ALERTING_RULE_H_
