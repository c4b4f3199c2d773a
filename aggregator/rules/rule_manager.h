// Runs the rule files of the configuration (docs/rules.md): loads them,
// evaluates each group on its interval on one scheduler thread, reloads
// them on request (SIGHUP) keeping the alerts of rules that stay, and saves
// the alerts after every round (alert_state_file.h) so a restart keeps
// them.
//
// After a restart, saved alerts come back as Prometheus's restoration of
// ALERTS_FOR_STATE would have them (rules/manager.go RestoreForState), with
// one difference:
//   - a pending alert keeps the time it had spent pending before the stop;
//     the time the aggregator was down does not count, and one that would
//     fire within `for_grace_period` of the start fires no sooner than that
//     (so a short outage does not fire alerts whose condition was only just
//     true). Rules whose `for` is shorter than the grace period start over.
//     After a longer outage than `outage_tolerance`, pending alerts start
//     over;
//   - firing and resolved alerts come back as they were, with when they
//     were last sent: a firing alert is not notified again before its
//     resend delay, and one that stopped while the aggregator was down is
//     sent as resolved. (Prometheus forgets them, and so never sends that
//     resolution.)
//
// Thread-safety: all methods are thread-safe.
#ifndef WATTLINE_AGGREGATOR_RULES_RULE_MANAGER_H_
#define WATTLINE_AGGREGATOR_RULES_RULE_MANAGER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aggregator/query/engine.h"
#include "aggregator/rules/alert_state_file.h"
#include "aggregator/rules/rule_group.h"
#include "common/clock.h"
#include "common/status.h"

namespace wattline::aggregator {

struct RuleManagerOptions {
  // Rule files: a glob(3) pattern, "" for none.
  std::string files;
  RuleGroupOptions group;
  int64_t outage_tolerance_ms = 60 * 60 * 1000;
  int64_t for_grace_period_ms = 10 * 60 * 1000;
  // Where alerts are saved; "" keeps them in memory only.
  std::string state_path;
};

class RuleManager {
 public:
  // Loads the files and the saved alerts and starts the scheduler.
  // `engine`, `clock` and what `store` and `notify` reach must outlive the
  // manager. Errors: InvalidArgument listing every error in the files (the
  // daemon does not start with rules it cannot run).
  static Result<std::unique_ptr<RuleManager>> Start(RuleManagerOptions options,
                                                    const Engine* engine, const Clock* clock,
                                                    StoreRuleSamples store, NotifyAlerts notify);
  // Stops the scheduler; a running evaluation finishes first.
  ~RuleManager();

  // Reads the files again. On an error the running groups stay as they
  // were; the error is returned (and logged by the caller).
  Status Reload();

  // Evaluates every group due at or before `now_ms` at its due time (the
  // latest, when several are due: missed ones are skipped, as Prometheus
  // does), then saves the alerts. The scheduler calls this; tests call it
  // with a fake clock's time.
  void EvaluateDue(int64_t now_ms);

  std::vector<RuleGroupStatus> Groups() const;

 private:
  struct ScheduledGroup {
    std::unique_ptr<RuleGroup> group;
    int64_t next_ms = 0;  // the next evaluation time
  };

  RuleManager(RuleManagerOptions options, const Engine* engine, const Clock* clock,
              StoreRuleSamples store, NotifyAlerts notify);
  Result<std::vector<ScheduledGroup>> LoadGroups(int64_t now_ms) const;
  void RestoreSavedAlerts(int64_t now_ms);
  void SaveAlerts(int64_t now_ms);
  void RunScheduler();

  const RuleManagerOptions options_;
  const Engine* const engine_;
  const Clock* const clock_;
  const StoreRuleSamples store_;
  const NotifyAlerts notify_;

  std::mutex eval_mutex_;     // one evaluation round or reload at a time
  mutable std::mutex mutex_;  // guards groups_ and stopping_
  std::condition_variable wake_;
  std::vector<ScheduledGroup> groups_;
  bool stopping_ = false;
  std::optional<SavedAlertState> last_saved_;  // what the state file holds (under eval_mutex_)
  std::thread scheduler_;
};

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_RULES_RULE_MANAGER_H_
