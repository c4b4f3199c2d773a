#include "aggregator/rules/rule_group.h"

#include <bit>
#include <chrono>
#include <map>
#include <utility>
#include <variant>

#include "aggregator/rules/recording_rule.h"
#include "aggregator/storage/series_reader.h"
#include "common/fnv1a.h"
#include "common/log.h"

namespace wattline::aggregator {
namespace {

// Prometheus's EngineQueryFunc: a vector as it is, a scalar as one sample
// without labels.
Result<Vector> RuleQuery(const Engine& engine, const Expr& expr, int64_t time_ms) {
  Result<QueryValue> value = engine.Instant(expr, time_ms);
  if (!value.ok()) return value.status();
  if (auto* vector = std::get_if<Vector>(&*value)) return std::move(*vector);
  if (auto* scalar = std::get_if<Scalar>(&*value)) {
    return Vector{Sample{Labels{}, scalar->timestamp_ms, scalar->value}};
  }
  return Status::InvalidArgument("rule result is not a vector or scalar");
}

void AppendSamples(const Vector& samples, std::vector<SeriesSamples>* out) {
  for (const Sample& sample : samples) {
    out->push_back({sample.metric, {sample.timestamp_ms}, {sample.value}});
  }
}

void AppendStaleMarkers(const std::set<Labels>& series, int64_t time_ms,
                        std::vector<SeriesSamples>* out) {
  const double stale = std::bit_cast<double>(kStaleNaNBits);
  for (const Labels& labels : series) out->push_back({labels, {time_ms}, {stale}});
}

}  // namespace

RuleGroup::RuleGroup(RuleGroupSpec spec, std::string file, RuleGroupOptions options)
    : spec_(std::move(spec)),
      file_(std::move(file)),
      options_(std::move(options)),
      interval_ms_(spec_.interval_ms > 0 ? spec_.interval_ms : options_.default_interval_ms) {
  for (const RuleSpec& rule : spec_.rules) {
    RuleRuntime runtime;
    if (rule.kind == RuleSpec::Kind::kAlerting) {
      runtime.alerting = std::make_unique<AlertingRule>(rule, options_.alert_context);
    }
    rules_.push_back(std::move(runtime));
  }
}

Result<Vector> RuleGroup::EvalRule(const Engine& engine, size_t index, int64_t time_ms) {
  const RuleSpec& rule = spec_.rules[index];
  Result<Vector> result = RuleQuery(engine, *rule.parsed, time_ms);
  if (!result.ok()) return result.status();
  if (rule.kind == RuleSpec::Kind::kRecording) {
    return RecordingRuleOutput(rule, std::move(result).value(), spec_.limit);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return rules_[index].alerting->Eval(*result, time_ms, spec_.limit);
}

void RuleGroup::Eval(const Engine& engine, int64_t time_ms, const StoreRuleSamples& store,
                     const NotifyAlerts& notify) {
  const auto group_start = std::chrono::steady_clock::now();
  std::set<Labels> orphaned;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    orphaned.swap(orphaned_series_);
  }
  if (!orphaned.empty()) {
    std::vector<SeriesSamples> markers;
    AppendStaleMarkers(orphaned, time_ms, &markers);
    Status stored = store(markers);
    if (!stored.ok()) {
      LogWarning("rules",
                 "group " + spec_.name + ": cannot store stale markers: " + stored.message());
    }
  }
  for (size_t i = 0; i < spec_.rules.size(); ++i) {
    const RuleSpec& rule = spec_.rules[i];
    const auto rule_start = std::chrono::steady_clock::now();
    Result<Vector> samples = EvalRule(engine, i, time_ms);
    std::vector<SeriesSamples> writes;
    std::set<Labels> returned;
    if (samples.ok()) {
      for (const Sample& sample : *samples) returned.insert(sample.metric);
      AppendSamples(*samples, &writes);
    }
    // On an error Prometheus leaves the last series as they are, and so
    // stale markers only follow a successful evaluation.
    Status status = samples.status();
    if (samples.ok()) {
      std::set<Labels> gone;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const Labels& labels : rules_[i].series_last_time) {
          if (!returned.contains(labels)) gone.insert(labels);
        }
      }
      AppendStaleMarkers(gone, time_ms, &writes);
      if (!writes.empty()) status = store(writes);
      if (!status.ok()) status = status.WithContext("cannot store");
    }
    if (!status.ok()) {
      LogWarning("rules",
                 "group " + spec_.name + ", rule \"" + rule.name + "\": " + status.message());
    }
    std::vector<Alert> due;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - rule_start).count();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      RuleRuntime& runtime = rules_[i];
      if (samples.ok()) runtime.series_last_time = std::move(returned);
      runtime.health = status.ok() ? "ok" : "err";
      runtime.last_error = status.ok() ? "" : status.message();
      runtime.last_evaluation_ms = time_ms;
      runtime.evaluation_seconds = seconds;
      if (runtime.alerting != nullptr) {
        due = runtime.alerting->TakeAlertsToSend(time_ms, options_.resend_delay_ms, interval_ms_);
      }
    }
    if (notify && !due.empty()) notify(rule, std::move(due));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  last_evaluation_ms_ = time_ms;
  evaluation_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - group_start).count();
}

Status RuleGroup::MarkAllStale(int64_t time_ms, const StoreRuleSamples& store) {
  std::vector<SeriesSamples> markers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const RuleRuntime& runtime : rules_) {
      AppendStaleMarkers(runtime.series_last_time, time_ms, &markers);
    }
    AppendStaleMarkers(orphaned_series_, time_ms, &markers);
  }
  if (markers.empty()) return Status::Ok();
  return store(markers);
}

int64_t RuleGroup::NextEvaluationAt(int64_t time_ms) const {
  // The same offset for a group in every build and run.
  const int64_t offset =
      static_cast<int64_t>(Fnv1a64(spec_.name + '\xff' + file_) % uint64_t(interval_ms_));
  // The first offset + k * interval at or after time_ms (k rounded down
  // for times before 1970 too).
  const int64_t base = time_ms - offset;
  int64_t k = base / interval_ms_;
  if (base % interval_ms_ != 0 && base < 0) --k;
  int64_t slot = k * interval_ms_;
  if (slot < base) slot += interval_ms_;
  return slot + offset;
}

void RuleGroup::CopyStateFrom(RuleGroup& from) {
  std::scoped_lock lock(mutex_, from.mutex_);
  last_evaluation_ms_ = from.last_evaluation_ms_;
  evaluation_seconds_ = from.evaluation_seconds_;
  std::map<std::string, std::vector<size_t>> unmatched;  // from's rules by identity
  for (size_t i = 0; i < from.spec_.rules.size(); ++i) {
    unmatched[RuleIdentity(from.spec_.rules[i])].push_back(i);
  }
  std::map<std::string, size_t> taken;
  for (size_t i = 0; i < spec_.rules.size(); ++i) {
    const std::string identity = RuleIdentity(spec_.rules[i]);
    auto candidates = unmatched.find(identity);
    size_t& next = taken[identity];
    if (candidates == unmatched.end() || next >= candidates->second.size()) continue;
    RuleRuntime& old = from.rules_[candidates->second[next++]];
    rules_[i].series_last_time = std::move(old.series_last_time);
    if (rules_[i].alerting != nullptr && old.alerting != nullptr) {
      rules_[i].alerting->RestoreAlerts(old.alerting->Alerts());
    }
  }
  // Deleted rules' series, and those of duplicates left over, end at the
  // next evaluation.
  orphaned_series_ = std::move(from.orphaned_series_);
  for (const auto& [identity, indexes] : unmatched) {
    for (size_t k = taken[identity]; k < indexes.size(); ++k) {
      const std::set<Labels>& series = from.rules_[indexes[k]].series_last_time;
      orphaned_series_.insert(series.begin(), series.end());
    }
  }
}

void RuleGroup::RestoreRuleAlerts(size_t index, std::vector<Alert> alerts) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index >= rules_.size() || rules_[index].alerting == nullptr) return;
  rules_[index].alerting->RestoreAlerts(std::move(alerts));
}

RuleGroupStatus RuleGroup::Snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  RuleGroupStatus status;
  status.name = spec_.name;
  status.file = file_;
  status.interval_ms = interval_ms_;
  status.limit = spec_.limit;
  status.last_evaluation_ms = last_evaluation_ms_;
  status.evaluation_seconds = evaluation_seconds_;
  for (size_t i = 0; i < spec_.rules.size(); ++i) {
    const RuleRuntime& runtime = rules_[i];
    RuleStatus rule;
    rule.spec = spec_.rules[i];
    rule.health = runtime.health;
    rule.last_error = runtime.last_error;
    rule.last_evaluation_ms = runtime.last_evaluation_ms;
    rule.evaluation_seconds = runtime.evaluation_seconds;
    if (runtime.alerting != nullptr) {
      rule.state = runtime.alerting->State();
      rule.alerts = runtime.alerting->Alerts();
    }
    status.rules.push_back(std::move(rule));
  }
  return status;
}

}  // namespace wattline::aggregator
