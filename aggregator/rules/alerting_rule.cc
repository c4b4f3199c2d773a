#include "aggregator/rules/alerting_rule.h"

#include <algorithm>
#include <utility>

#include "common/log.h"

namespace wattline::aggregator {
namespace {

constexpr std::string_view kAlertsMetric = "ALERTS";
constexpr std::string_view kAlertsForStateMetric = "ALERTS_FOR_STATE";
constexpr std::string_view kAlertNameLabel = "alertname";
constexpr std::string_view kAlertStateLabel = "alertstate";

std::vector<std::pair<std::string, AlertTemplate>> ParseTemplates(const Labels& texts) {
  std::vector<std::pair<std::string, AlertTemplate>> parsed;
  for (const Label& text : texts) {
    Result<AlertTemplate> one = ParseAlertTemplate(text.value);
    // rule_file.h checked every template; one that fails here is a bug.
    if (!one.ok()) std::abort();
    parsed.emplace_back(text.name, std::move(one).value());
  }
  return parsed;
}

}  // namespace

std::string_view AlertStateName(AlertState state) {
  switch (state) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
  }
  return "inactive";
}

AlertingRule::AlertingRule(RuleSpec spec, AlertContext context)
    : spec_(std::move(spec)),
      context_(std::move(context)),
      label_templates_(ParseTemplates(spec_.labels)),
      annotation_templates_(ParseTemplates(spec_.annotations)) {}

std::string AlertingRule::Expand(const AlertTemplate& text, const AlertTemplateData& data) const {
  Result<std::string> expanded = text.Expand(data);
  if (expanded.ok()) return std::move(expanded).value();
  LogWarning("rules",
             "alert " + spec_.name + ": cannot expand a template: " + expanded.status().message());
  return PrometheusTemplateError("__alert_" + spec_.name, expanded.status().message());
}

Result<Vector> AlertingRule::Eval(const Vector& result, int64_t time_ms, int64_t limit) {
  // This evaluation's alerts, identified by their labels.
  std::map<Labels, Alert> found;
  for (const Sample& sample : result) {
    AlertTemplateData data;
    data.labels = &sample.metric;
    data.external_labels = &context_.external_labels;
    data.external_url = context_.external_url;
    data.value = sample.value;
    Alert alert;
    alert.labels = sample.metric;
    SetLabel(alert.labels, kMetricNameLabel, "");
    for (const auto& [name, text] : label_templates_)
      SetLabel(alert.labels, name, Expand(text, data));
    SetLabel(alert.labels, kAlertNameLabel, spec_.name);
    for (const auto& [name, text] : annotation_templates_) {
      alert.annotations.push_back({name, Expand(text, data)});
    }
    alert.state = AlertState::kPending;
    alert.active_at_ms = time_ms;
    alert.value = sample.value;
    Labels key = alert.labels;
    if (!found.emplace(std::move(key), std::move(alert)).second) {
      return Status::FailedPrecondition(
          "vector contains metrics with the same labelset after applying alert labels");
    }
  }
  for (auto& [labels, alert] : found) {
    auto known = active_.find(labels);
    if (known != active_.end() && known->second.state != AlertState::kInactive) {
      known->second.value = alert.value;
      known->second.annotations = std::move(alert.annotations);
      continue;
    }
    active_.insert_or_assign(labels, std::move(alert));
  }

  Vector samples;
  int64_t active = 0;
  for (auto it = active_.begin(); it != active_.end();) {
    Alert& alert = it->second;
    if (!found.contains(it->first)) {
      bool keep_firing = false;
      if (alert.state == AlertState::kFiring && spec_.keep_firing_for_ms > 0) {
        if (alert.keep_firing_since_ms == 0) alert.keep_firing_since_ms = time_ms;
        keep_firing = time_ms - alert.keep_firing_since_ms < spec_.keep_firing_for_ms;
      }
      // A pending alert just goes; a resolved one once it has been sent
      // as resolved for long enough.
      if (alert.state == AlertState::kPending ||
          (alert.resolved_at_ms != 0 && time_ms - alert.resolved_at_ms > kResolvedRetentionMs)) {
        it = active_.erase(it);
        continue;
      }
      if (!keep_firing) {
        if (alert.state != AlertState::kInactive) {
          alert.state = AlertState::kInactive;
          alert.resolved_at_ms = time_ms;
        }
        ++it;
        continue;
      }
    } else {
      alert.keep_firing_since_ms = 0;
    }
    ++active;
    if (alert.state == AlertState::kPending && time_ms - alert.active_at_ms >= spec_.for_ms) {
      alert.state = AlertState::kFiring;
      alert.fired_at_ms = time_ms;
    }
    Labels series = alert.labels;
    SetLabel(series, kMetricNameLabel, std::string(kAlertsMetric));
    SetLabel(series, kAlertStateLabel, std::string(AlertStateName(alert.state)));
    samples.push_back({std::move(series), time_ms, 1});
    Labels for_state = alert.labels;
    SetLabel(for_state, kMetricNameLabel, std::string(kAlertsForStateMetric));
    // Whole seconds, as Prometheus's ActiveAt.Unix().
    const int64_t active_at_s =
        alert.active_at_ms >= 0 ? alert.active_at_ms / 1000 : (alert.active_at_ms - 999) / 1000;
    samples.push_back({std::move(for_state), time_ms, static_cast<double>(active_at_s)});
    ++it;
  }
  if (limit > 0 && active > limit) {
    active_.clear();
    return Status::FailedPrecondition("exceeded limit of " + std::to_string(limit) + " with " +
                                      std::to_string(active) + " alerts");
  }
  return samples;
}

std::vector<Alert> AlertingRule::TakeAlertsToSend(int64_t time_ms, int64_t resend_delay_ms,
                                                  int64_t interval_ms) {
  std::vector<Alert> due;
  for (auto& [labels, alert] : active_) {
    if (alert.state == AlertState::kPending) continue;
    const bool resolved_since_sent = alert.resolved_at_ms > alert.last_sent_ms;
    if (!resolved_since_sent && alert.last_sent_ms + resend_delay_ms >= time_ms) continue;
    alert.last_sent_ms = time_ms;
    alert.valid_until_ms = time_ms + 4 * std::max(resend_delay_ms, interval_ms);
    due.push_back(alert);
  }
  return due;
}

std::vector<Alert> AlertingRule::Alerts() const {
  std::vector<Alert> alerts;
  alerts.reserve(active_.size());
  for (const auto& [labels, alert] : active_) alerts.push_back(alert);
  return alerts;
}

AlertState AlertingRule::State() const {
  AlertState highest = AlertState::kInactive;
  for (const auto& [labels, alert] : active_) highest = std::max(highest, alert.state);
  return highest;
}

void AlertingRule::RestoreAlerts(std::vector<Alert> alerts) {
  for (Alert& alert : alerts) {
    Labels key = alert.labels;
    active_.insert_or_assign(std::move(key), std::move(alert));
  }
}

}  // namespace wattline::aggregator
