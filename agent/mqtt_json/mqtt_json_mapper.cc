#include "agent/mqtt_json/mqtt_json_mapper.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

namespace wattline::agent {
namespace {

using Json = nlohmann::json;

std::string_view Trim(std::string_view text) {
  const char* kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::optional<double> ParseNumber(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// The payload, parsed once and only when a series needs it.
class Payload {
 public:
  explicit Payload(std::string_view raw) : raw_(raw) {}
  std::string_view raw() const { return raw_; }
  // The JSON document, or nullptr when the payload is not JSON.
  const Json* Doc() {
    if (!parsed_) {
      parsed_ = true;
      doc_ = Json::parse(raw_.begin(), raw_.end(), nullptr, /*allow_exceptions=*/false);
    }
    return doc_.is_discarded() ? nullptr : &doc_;
  }

 private:
  std::string_view raw_;
  bool parsed_ = false;
  Json doc_;
};

// The text a `values` table is looked up with.
std::optional<std::string> ValueText(const Json& value) {
  if (value.is_string()) return std::string(Trim(value.get_ref<const std::string&>()));
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) return value.dump();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<int64_t>(d));
    }
    return value.dump();
  }
  return std::nullopt;
}

enum class Extract { kValue, kNone, kError };

// The value of `rule` in `payload`; kNone when there is none (no error).
Extract ExtractValue(const MqttJsonRule& rule, Payload& payload, double* value, Status* error) {
  auto fail = [&](std::string why) {
    *error = Status::InvalidArgument("series " + rule.metric +
                                     (rule.path.empty() ? "" : " (path " + rule.path.text() + ")") +
                                     ": " + std::move(why));
    return Extract::kError;
  };
  std::optional<std::string> text;  // for `values`
  std::optional<double> number;
  const Json* doc = payload.Doc();
  if (doc == nullptr) {
    if (Trim(payload.raw()).empty()) return Extract::kNone;
    if (!rule.path.empty()) return fail("payload is not JSON");
    text = std::string(Trim(payload.raw()));
    number = ParseNumber(*text);
  } else {
    const Json* node = rule.path.Find(*doc);
    if (node == nullptr || node->is_null()) return Extract::kNone;
    if (node->is_object() || node->is_array()) {
      return fail(std::string("expected a number, got an ") + node->type_name());
    }
    text = ValueText(*node);
    if (node->is_number()) {
      number = node->get<double>();
    } else if (node->is_boolean()) {
      number = node->get<bool>() ? 1.0 : 0.0;
    } else if (node->is_string()) {
      number = ParseNumber(node->get_ref<const std::string&>());
    }
  }
  if (!rule.values.empty()) {
    for (const auto& [key, mapped] : rule.values) {
      if (text.has_value() && key == *text) {
        *value = mapped;
        return Extract::kValue;
      }
    }
    return fail("\"" + text.value_or("").substr(0, 64) + "\" is not one of its values");
  }
  if (!number.has_value()) {
    return fail("\"" + text.value_or("").substr(0, 64) + "\" is not a number");
  }
  *value = *number * rule.scale;
  if (!std::isfinite(*value)) return fail("value out of range after scaling");
  return Extract::kValue;
}

void PutLabel(Labels* labels, const std::string& name, const std::string& value) {
  for (Label& label : *labels) {
    if (label.name == name) {
      label.value = value;
      return;
    }
  }
  labels->push_back({name, value});
}

}  // namespace

MqttJsonMapper::MqttJsonMapper(MqttJsonMapping mapping) : mapping_(std::move(mapping)) {}

MqttJsonOutcome MqttJsonMapper::Map(std::string_view topic, std::string_view raw_payload,
                                    bool retained, int64_t arrival_ms, Samples* out) const {
  MqttJsonOutcome outcome;
  Labels captures;
  std::string_view rest;
  if (!mapping_.topic->Match(topic, &captures, &rest)) return outcome;

  Payload payload(raw_payload);
  std::vector<const std::string*> used_paths;
  std::optional<int64_t> timestamp_ms;
  for (const MqttJsonRule& rule : mapping_.rules) {
    const size_t source_captures = captures.size();
    if (rule.topic.has_value() && !rule.topic->Match(rest, &captures, nullptr)) continue;
    bool used = false;
    for (const std::string* path : used_paths) used = used || *path == rule.path.text();
    if (used || (retained && !rule.retained)) {
      captures.resize(source_captures);
      if (!used) used_paths.push_back(&rule.path.text());
      continue;
    }
    used_paths.push_back(&rule.path.text());

    Labels labels = mapping_.labels;
    for (const Label& label : captures) PutLabel(&labels, label.name, label.value);
    for (const Label& label : rule.labels) PutLabel(&labels, label.name, label.value);
    captures.resize(source_captures);
    if (!outcome.matched) {
      outcome.matched = true;
      outcome.device = std::string(LabelValue(labels, "device"));
      if (raw_payload.size() > kMaxMqttJsonPayloadBytes) {
        outcome.error = Status::InvalidArgument("payload of " + std::to_string(raw_payload.size()) +
                                                " bytes is over the limit of " +
                                                std::to_string(kMaxMqttJsonPayloadBytes));
        return outcome;
      }
    }

    double value = 0;
    Status error;
    const Extract extract = ExtractValue(rule, payload, &value, &error);
    if (extract == Extract::kError && outcome.error.ok()) outcome.error = error;
    if (extract != Extract::kValue) continue;

    labels.push_back({std::string(kMetricNameLabel), rule.metric});
    Status canonical = Canonicalize(labels);
    if (!canonical.ok()) {
      if (outcome.error.ok()) outcome.error = canonical.WithContext("series " + rule.metric);
      continue;
    }
    if (!timestamp_ms.has_value()) {
      timestamp_ms = arrival_ms;
      const Json* doc = mapping_.timestamp_path.has_value() ? payload.Doc() : nullptr;
      const Json* node = doc != nullptr ? mapping_.timestamp_path->Find(*doc) : nullptr;
      if (node != nullptr && !node->is_null()) {
        std::optional<int64_t> device_ms;
        if (node->is_number()) {
          const double seconds = node->get<double>();
          if (std::isfinite(seconds) && std::fabs(seconds) < 1e11) {
            device_ms = static_cast<int64_t>(std::llround(seconds * 1000));
          }
        } else if (node->is_string()) {
          Result<int64_t> parsed =
              ParseIso8601Ms(node->get_ref<const std::string&>(), mapping_.timestamp_zone);
          if (parsed.ok()) device_ms = *parsed;
        }
        const int64_t skew = device_ms.has_value() ? *device_ms - arrival_ms : 0;
        if (!device_ms.has_value()) {
          outcome.time_note = "device time at " + mapping_.timestamp_path->text() +
                              " is unreadable: " + node->dump().substr(0, 64);
        } else if (skew > mapping_.timestamp_max_skew_ms ||
                   -skew > mapping_.timestamp_max_skew_ms) {
          outcome.time_note = "device time " + node->dump().substr(0, 64) + " is " +
                              std::to_string(skew / 1000) +
                              " s from the arrival time (is timestamp_zone " +
                              DeviceTimeZoneName(mapping_.timestamp_zone) + " right?)";
        } else {
          timestamp_ms = *device_ms;
        }
      }
    }
    Sample sample;
    sample.labels = std::move(labels);
    sample.timestamp_ms = *timestamp_ms;
    sample.value = value;
    out->push_back(std::move(sample));
    ++outcome.samples;
  }
  return outcome;
}

}  // namespace wattline::agent
