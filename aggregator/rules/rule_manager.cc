#include "aggregator/rules/rule_manager.h"

#include <glob.h>

#include <algorithm>
#include <map>
#include <utility>

#include "aggregator/pki/pem_file.h"
#include "aggregator/rules/alert_state_file.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

// The files `pattern` names, sorted; a pattern without wildcards names its
// file even before it exists (so a missing file is an error, not no rules).
Result<std::vector<std::string>> RuleFilePaths(const std::string& pattern) {
  if (pattern.empty()) return std::vector<std::string>{};
  if (pattern.find_first_of("*?[") == std::string::npos) return std::vector<std::string>{pattern};
  glob_t found{};
  const int rc = glob(pattern.c_str(), GLOB_ERR, nullptr, &found);
  std::vector<std::string> paths;
  if (rc == 0) paths.assign(found.gl_pathv, found.gl_pathv + found.gl_pathc);
  globfree(&found);
  if (rc != 0 && rc != GLOB_NOMATCH) {
    return Status::IoError("cannot list rule files " + pattern);
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Whether saved states `a` and `b` hold the same alerts.
bool SameAlerts(const SavedAlertState& a, const SavedAlertState& b) { return a.rules == b.rules; }

}  // namespace

RuleManager::RuleManager(RuleManagerOptions options, const Engine* engine, const Clock* clock,
                         StoreRuleSamples store, NotifyAlerts notify)
    : options_(std::move(options)),
      engine_(engine),
      clock_(clock),
      store_(std::move(store)),
      notify_(std::move(notify)) {}

Result<std::unique_ptr<RuleManager>> RuleManager::Start(RuleManagerOptions options,
                                                        const Engine* engine, const Clock* clock,
                                                        StoreRuleSamples store,
                                                        NotifyAlerts notify) {
  std::unique_ptr<RuleManager> manager(
      new RuleManager(std::move(options), engine, clock, std::move(store), std::move(notify)));
  const int64_t now_ms = clock->NowUnixMs();
  Result<std::vector<ScheduledGroup>> groups = manager->LoadGroups(now_ms);
  if (!groups.ok()) return groups.status();
  manager->groups_ = std::move(groups).value();
  manager->RestoreSavedAlerts(now_ms);
  manager->scheduler_ = std::thread([m = manager.get()] { m->RunScheduler(); });
  return manager;
}

RuleManager::~RuleManager() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
}

Result<std::vector<RuleManager::ScheduledGroup>> RuleManager::LoadGroups(int64_t now_ms) const {
  Result<std::vector<std::string>> paths = RuleFilePaths(options_.files);
  if (!paths.ok()) return paths.status();
  std::vector<ScheduledGroup> groups;
  std::string errors;
  for (const std::string& path : *paths) {
    Result<RuleFile> file = LoadRuleFile(path);
    if (!file.ok()) {
      errors += (errors.empty() ? "" : "\n") + file.status().message();
      continue;
    }
    for (RuleGroupSpec& spec : file->groups) {
      auto group = std::make_unique<RuleGroup>(std::move(spec), path, options_.group);
      const int64_t next_ms = group->NextEvaluationAt(now_ms);
      groups.push_back({std::move(group), next_ms});
    }
  }
  if (!errors.empty()) return Status::InvalidArgument(errors);
  return groups;
}

Status RuleManager::Reload() {
  std::lock_guard<std::mutex> eval_lock(eval_mutex_);
  const int64_t now_ms = clock_->NowUnixMs();
  Result<std::vector<ScheduledGroup>> loaded = LoadGroups(now_ms);
  if (!loaded.ok()) return loaded.status();
  std::vector<ScheduledGroup> old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    old = std::move(groups_);
  }
  // A group keeps its state (and its schedule) when its file and name stay.
  for (ScheduledGroup& fresh : *loaded) {
    for (ScheduledGroup& previous : old) {
      if (previous.group == nullptr || previous.group->file() != fresh.group->file() ||
          previous.group->name() != fresh.group->name()) {
        continue;
      }
      fresh.group->CopyStateFrom(*previous.group);
      if (previous.group->interval_ms() == fresh.group->interval_ms()) {
        fresh.next_ms = previous.next_ms;
      }
      previous.group.reset();
      break;
    }
  }
  // Groups that went: their series end now.
  for (ScheduledGroup& previous : old) {
    if (previous.group == nullptr) continue;
    Status marked = previous.group->MarkAllStale(now_ms, store_);
    if (!marked.ok()) {
      LogWarning("rules", "group " + previous.group->name() +
                              ": cannot end its series: " + marked.message());
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    groups_ = std::move(loaded).value();
  }
  wake_.notify_all();
  LogInfo("rules", "rule files reloaded: " + std::to_string(Groups().size()) + " groups");
  return Status::Ok();
}

void RuleManager::EvaluateDue(int64_t now_ms) {
  std::lock_guard<std::mutex> eval_lock(eval_mutex_);
  std::vector<std::pair<RuleGroup*, int64_t>> due;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (ScheduledGroup& scheduled : groups_) {
      if (scheduled.next_ms > now_ms) continue;
      const int64_t interval = scheduled.group->interval_ms();
      // The latest due time; the ones before it were missed.
      const int64_t missed = (now_ms - scheduled.next_ms) / interval;
      if (missed > 0) {
        LogWarning("rules", "group " + scheduled.group->name() + " missed " +
                                std::to_string(missed) + " evaluations");
      }
      const int64_t at = scheduled.next_ms + missed * interval;
      due.emplace_back(scheduled.group.get(), at);
      scheduled.next_ms = at + interval;
    }
  }
  // Groups are only replaced under eval_mutex_, so the pointers hold.
  for (const auto& [group, at] : due) group->Eval(*engine_, at, store_, notify_);
  if (!due.empty()) SaveAlerts(now_ms);
}

std::vector<RuleGroupStatus> RuleManager::Groups() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<RuleGroupStatus> groups;
  for (const ScheduledGroup& scheduled : groups_) groups.push_back(scheduled.group->Snapshot());
  return groups;
}

void RuleManager::SaveAlerts(int64_t now_ms) {
  if (options_.state_path.empty()) return;
  SavedAlertState state;
  state.saved_at_ms = now_ms;
  bool pending = false;
  for (const RuleGroupStatus& group : Groups()) {
    std::map<std::string, int64_t> occurrences;
    for (const RuleStatus& rule : group.rules) {
      const std::string identity = RuleIdentity(rule.spec);
      const int64_t occurrence = occurrences[identity]++;
      if (rule.alerts.empty()) continue;
      for (const Alert& alert : rule.alerts) pending |= alert.state == AlertState::kPending;
      state.rules.push_back({group.file, group.name, identity, occurrence, rule.alerts});
    }
  }
  // A pending alert's saved time must stay recent: it measures the outage.
  if (!pending && last_saved_ && SameAlerts(*last_saved_, state)) return;
  Status written =
      WriteFileAtomically(options_.state_path, SerializeAlertState(state), kPrivateFileMode);
  if (!written.ok()) {
    LogWarning("rules", "cannot save the alerts: " + written.message());
    return;
  }
  last_saved_ = std::move(state);
}

void RuleManager::RestoreSavedAlerts(int64_t now_ms) {
  if (options_.state_path.empty()) return;
  Result<std::string> text = ReadWholeFile(options_.state_path);
  if (!text.ok()) {
    if (text.status().code() != Status::Code::kNotFound) {
      LogWarning("rules", "cannot read the saved alerts: " + text.status().message());
    }
    return;
  }
  Result<SavedAlertState> saved = ParseAlertState(*text);
  if (!saved.ok()) {
    LogWarning("rules", options_.state_path + ": " + saved.status().message() +
                            "; starting without the saved alerts");
    return;
  }
  last_saved_ = *saved;
  const int64_t down_ms = std::max<int64_t>(0, now_ms - saved->saved_at_ms);
  size_t restored = 0;
  std::lock_guard<std::mutex> lock(mutex_);
  for (ScheduledGroup& scheduled : groups_) {
    RuleGroup& group = *scheduled.group;
    std::map<std::string, int64_t> occurrences;
    for (size_t i = 0; i < group.spec().rules.size(); ++i) {
      const RuleSpec& rule = group.spec().rules[i];
      const std::string identity = RuleIdentity(rule);
      const int64_t occurrence = occurrences[identity]++;
      auto match =
          std::find_if(saved->rules.begin(), saved->rules.end(), [&](const SavedRuleAlerts& r) {
            return r.file == group.file() && r.group == group.name() && r.rule == identity &&
                   r.occurrence == occurrence;
          });
      if (match == saved->rules.end()) continue;
      std::vector<Alert> alerts;
      for (Alert& alert : match->alerts) {
        if (alert.state == AlertState::kPending) {
          // As Prometheus restores `for`: see the header.
          if (rule.for_ms < options_.for_grace_period_ms ||
              down_ms > options_.outage_tolerance_ms) {
            continue;
          }
          const int64_t remaining = rule.for_ms - (saved->saved_at_ms - alert.active_at_ms);
          if (remaining <= 0) {
            // Due to fire: the next evaluation fires it if it still holds.
          } else if (remaining < options_.for_grace_period_ms) {
            alert.active_at_ms = now_ms + options_.for_grace_period_ms - rule.for_ms;
          } else {
            alert.active_at_ms += down_ms;
          }
        }
        alerts.push_back(std::move(alert));
      }
      restored += alerts.size();
      group.RestoreRuleAlerts(i, std::move(alerts));
    }
  }
  LogInfo("rules", "restored " + std::to_string(restored) + " alerts saved " +
                       std::to_string(down_ms / 1000) + " s ago");
}

void RuleManager::RunScheduler() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    const int64_t now_ms = clock_->NowUnixMs();
    int64_t next_ms = INT64_MAX;
    for (ScheduledGroup& scheduled : groups_) {
      // The wall clock went back (an NTP step): evaluate from now on, not
      // from where the old time would have been.
      if (scheduled.next_ms - now_ms > scheduled.group->interval_ms()) {
        scheduled.next_ms = scheduled.group->NextEvaluationAt(now_ms);
      }
      next_ms = std::min(next_ms, scheduled.next_ms);
    }
    if (next_ms <= now_ms) {
      lock.unlock();
      EvaluateDue(now_ms);
      lock.lock();
      continue;
    }
    // At most a second at a time: the wall clock may jump.
    const int64_t wait_ms = std::min<int64_t>(next_ms - now_ms, 1000);
    wake_.wait_for(lock, std::chrono::milliseconds(wait_ms));
  }
}

}  // namespace wattline::aggregator
