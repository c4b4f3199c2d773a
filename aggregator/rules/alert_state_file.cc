#include "aggregator/rules/alert_state_file.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

namespace wattline::aggregator {
namespace {

using Json = nlohmann::json;

constexpr int kVersion = 1;

Json LabelsToJson(const Labels& labels) {
  Json object = Json::object();
  for (const Label& label : labels) object[label.name] = label.value;
  return object;
}

Labels LabelsFromJson(const Json& object) {
  Labels labels;
  for (const auto& [name, value] : object.items())
    labels.push_back({name, value.get<std::string>()});
  std::sort(labels.begin(), labels.end());
  return labels;
}

Result<AlertState> StateNamed(const std::string& name) {
  for (AlertState state : {AlertState::kInactive, AlertState::kPending, AlertState::kFiring}) {
    if (AlertStateName(state) == name) return state;
  }
  return Status::InvalidArgument("unknown alert state \"" + name + "\"");
}

}  // namespace

std::string SerializeAlertState(const SavedAlertState& state) {
  Json rules = Json::array();
  for (const SavedRuleAlerts& rule : state.rules) {
    Json alerts = Json::array();
    for (const Alert& alert : rule.alerts) {
      alerts.push_back({{"labels", LabelsToJson(alert.labels)},
                        {"annotations", LabelsToJson(alert.annotations)},
                        {"state", AlertStateName(alert.state)},
                        {"value", alert.value},
                        {"active_at_ms", alert.active_at_ms},
                        {"fired_at_ms", alert.fired_at_ms},
                        {"resolved_at_ms", alert.resolved_at_ms},
                        {"last_sent_ms", alert.last_sent_ms},
                        {"valid_until_ms", alert.valid_until_ms},
                        {"keep_firing_since_ms", alert.keep_firing_since_ms}});
    }
    rules.push_back({{"file", rule.file},
                     {"group", rule.group},
                     {"rule", rule.rule},
                     {"occurrence", rule.occurrence},
                     {"alerts", std::move(alerts)}});
  }
  Json root = {{"version", kVersion}, {"saved_at_ms", state.saved_at_ms}, {"rules", rules}};
  // NaN and infinite values (an alert's value may be either) as null.
  return root.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

Result<SavedAlertState> ParseAlertState(std::string_view text) {
  Json root = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return Status::InvalidArgument("alert state is not a JSON object");
  }
  try {
    if (root.at("version").get<int>() != kVersion) {
      return Status::InvalidArgument("alert state version " + root.at("version").dump() +
                                     " is not " + std::to_string(kVersion));
    }
    SavedAlertState state;
    state.saved_at_ms = root.at("saved_at_ms").get<int64_t>();
    for (const Json& rule : root.at("rules")) {
      SavedRuleAlerts saved;
      saved.file = rule.at("file").get<std::string>();
      saved.group = rule.at("group").get<std::string>();
      saved.rule = rule.at("rule").get<std::string>();
      saved.occurrence = rule.at("occurrence").get<int64_t>();
      for (const Json& item : rule.at("alerts")) {
        Alert alert;
        alert.labels = LabelsFromJson(item.at("labels"));
        alert.annotations = LabelsFromJson(item.at("annotations"));
        Result<AlertState> state_named = StateNamed(item.at("state").get<std::string>());
        if (!state_named.ok()) return state_named.status();
        alert.state = *state_named;
        const Json& value = item.at("value");
        alert.value =
            value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
        alert.active_at_ms = item.at("active_at_ms").get<int64_t>();
        alert.fired_at_ms = item.at("fired_at_ms").get<int64_t>();
        alert.resolved_at_ms = item.at("resolved_at_ms").get<int64_t>();
        alert.last_sent_ms = item.at("last_sent_ms").get<int64_t>();
        alert.valid_until_ms = item.at("valid_until_ms").get<int64_t>();
        alert.keep_firing_since_ms = item.at("keep_firing_since_ms").get<int64_t>();
        saved.alerts.push_back(std::move(alert));
      }
      state.rules.push_back(std::move(saved));
    }
    return state;
  } catch (const Json::exception& error) {
    return Status::InvalidArgument(std::string("alert state: ") + error.what());
  }
}

}  // namespace wattline::aggregator
