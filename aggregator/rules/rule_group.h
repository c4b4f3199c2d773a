// A rule group (rule_file.h) evaluated as Prometheus 2.42 evaluates one
// (rules/manager.go): all its rules at one time, in order, each seeing what
// the rules before it stored. A recording rule stores its output series
// (recording_rule.h); an alerting rule moves its alerts on (alerting_rule.h)
// and stores ALERTS and ALERTS_FOR_STATE. A series a rule gave at the last
// evaluation and not at this one gets a stale marker, so queries see it end
// at once rather than five minutes later. A rule that fails (its query, its
// limit) is marked unhealthy with the error and the others go on.
//
// Thread-safety: Eval on one thread at a time (the group's scheduler);
// Snapshot and the accessors from any thread.
#ifndef WATTLINE_AGGREGATOR_RULES_RULE_GROUP_H_
#define WATTLINE_AGGREGATOR_RULES_RULE_GROUP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "aggregator/query/engine.h"
#include "aggregator/rules/alerting_rule.h"
#include "aggregator/rules/rule_file.h"
#include "common/batch.h"
#include "common/status.h"

namespace wattline::aggregator {

// Stores a rule evaluation's samples (SampleStore::Write in the daemon).
using StoreRuleSamples = std::function<Status(const std::vector<SeriesSamples>&)>;

// Takes an alerting rule's alerts due for notification after an evaluation.
using NotifyAlerts = std::function<void(const RuleSpec& rule, std::vector<Alert> alerts)>;

// A rule as the API shows it.
struct RuleStatus {
  RuleSpec spec;
  std::string health = "unknown";  // "unknown" until evaluated, "ok", "err"
  std::string last_error;
  int64_t last_evaluation_ms = 0;  // 0: never
  double evaluation_seconds = 0;
  AlertState state = AlertState::kInactive;  // alerting rules
  std::vector<Alert> alerts;                 // alerting rules: by labels
};

struct RuleGroupStatus {
  std::string name;
  std::string file;
  int64_t interval_ms = 0;
  int64_t limit = 0;
  int64_t last_evaluation_ms = 0;
  double evaluation_seconds = 0;
  std::vector<RuleStatus> rules;
};

struct RuleGroupOptions {
  int64_t default_interval_ms = 60 * 1000;  // for a group without `interval`
  // Firing alerts are sent again this often (Prometheus's
  // --rules.alert.resend-delay).
  int64_t resend_delay_ms = 60 * 1000;
  AlertContext alert_context;
};

class RuleGroup {
 public:
  // `file` is the rule file's path, part of the group's identity.
  RuleGroup(RuleGroupSpec spec, std::string file, RuleGroupOptions options);

  // Evaluates every rule at `time_ms` with `engine`, storing through
  // `store`, and hands each alerting rule's alerts due for notification to
  // `notify` (may be empty). A store failure is the rule's error.
  void Eval(const Engine& engine, int64_t time_ms, const StoreRuleSamples& store,
            const NotifyAlerts& notify);

  // Stale markers at `time_ms` for every series the group gave at its last
  // evaluation: for a group removed by a reload.
  Status MarkAllStale(int64_t time_ms, const StoreRuleSamples& store);

  // The evaluation time due at or after `time_ms`: a multiple of the
  // interval plus an offset fixed per group (a hash of its name and file),
  // so that groups with one interval do not all run at once.
  int64_t NextEvaluationAt(int64_t time_ms) const;

  // Carries over the alerts of `from`'s rules with the same name and labels
  // (the nth such rule to the nth, as Prometheus's reload does), and the
  // series they gave, so a reload neither resets `for` nor leaves series
  // without their stale markers.
  void CopyStateFrom(RuleGroup& from);

  // Puts saved alerts back into rule `index` (an alerting rule; others are
  // left alone): after a restart (rule_manager.h adjusts them first).
  void RestoreRuleAlerts(size_t index, std::vector<Alert> alerts);

  RuleGroupStatus Snapshot() const;
  const RuleGroupSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  const std::string& file() const { return file_; }
  int64_t interval_ms() const { return interval_ms_; }

 private:
  struct RuleRuntime {
    std::unique_ptr<AlertingRule> alerting;  // null for a recording rule
    std::set<Labels> series_last_time;       // for stale markers
    std::string health = "unknown";
    std::string last_error;
    int64_t last_evaluation_ms = 0;
    double evaluation_seconds = 0;
  };

  // The rule's samples at `time_ms`, or its error.
  Result<Vector> EvalRule(const Engine& engine, size_t index, int64_t time_ms);

  const RuleGroupSpec spec_;
  const std::string file_;
  const RuleGroupOptions options_;
  const int64_t interval_ms_;

  mutable std::mutex mutex_;  // guards rules_' state and the times below
  std::vector<RuleRuntime> rules_;
  std::set<Labels> orphaned_series_;  // of rules a reload removed: stale next time
  int64_t last_evaluation_ms_ = 0;
  double evaluation_seconds_ = 0;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_RULE_GROUP_H_
