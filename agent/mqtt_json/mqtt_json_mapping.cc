#include "agent/mqtt_json/mqtt_json_mapping.h"

#include <array>
#include <charconv>
#include <cmath>
#include <set>

#include "common/duration.h"

namespace wattline::agent {
namespace {

constexpr std::array<std::string_view, 6> kMappingKeys = {
    "topic", "labels", "timestamp_path", "timestamp_zone", "timestamp_max_skew", "series"};
constexpr std::array<std::string_view, 7> kRuleKeys = {"topic",  "path",   "metric",  "scale",
                                                       "labels", "values", "retained"};

Status Error(const ConfigNode& node, std::string_view what, std::string_view why) {
  return Status::InvalidArgument(node.Where() + ": " + std::string(what) + ": " + std::string(why));
}

Result<std::string> Scalar(const ConfigNode& node, std::string_view what) {
  if (node.kind == ConfigNode::Kind::kNull) return std::string();
  if (node.kind != ConfigNode::Kind::kScalar) return Error(node, what, "must be a single value");
  return node.scalar;
}

Result<double> Number(const ConfigNode& node, std::string_view what) {
  if (node.kind != ConfigNode::Kind::kScalar) return Error(node, what, "must be a number");
  const std::string& text = node.scalar;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return Error(node, what, "expected a number, got \"" + text + "\"");
  }
  return value;
}

Result<bool> Bool(const ConfigNode& node, std::string_view what) {
  if (node.kind == ConfigNode::Kind::kScalar && node.scalar == "true") return true;
  if (node.kind == ConfigNode::Kind::kScalar && node.scalar == "false") return false;
  return Error(node, what, "expected true or false");
}

// A map of label name -> value, merged into `*labels` (a later name replaces).
Status ReadLabels(const ConfigNode& node, std::string_view what, Labels* labels) {
  if (node.kind == ConfigNode::Kind::kNull) return Status::Ok();
  if (node.kind != ConfigNode::Kind::kMap) {
    return Error(node, what, "must be a mapping of label names to values");
  }
  for (const auto& [name, value] : node.entries) {
    if (!IsValidLabelName(name) || name == kMetricNameLabel) {
      return Error(value, what, "\"" + name + "\" is not a valid label name");
    }
    Result<std::string> text = Scalar(value, std::string(what) + "." + name);
    if (!text.ok()) return text.status();
    bool replaced = false;
    for (Label& label : *labels) {
      if (label.name == name) {
        label.value = *text;
        replaced = true;
      }
    }
    if (!replaced) labels->push_back({name, *text});
  }
  return Status::Ok();
}

Result<TopicPattern> ReadTopic(const ConfigNode& node, std::string_view what) {
  Result<std::string> text = Scalar(node, what);
  if (!text.ok()) return text.status();
  Result<TopicPattern> pattern = TopicPattern::Parse(*text);
  if (!pattern.ok()) return Error(node, what, pattern.status().message());
  return pattern;
}

Result<MqttJsonRule> ReadRule(const ConfigNode& node) {
  if (node.kind != ConfigNode::Kind::kMap) {
    return Error(node, "series[]", "each series is a mapping with at least a metric");
  }
  MqttJsonRule rule;
  rule.where = node.Where();
  for (const auto& [key, value] : node.entries) {
    bool known = false;
    for (std::string_view k : kRuleKeys) known = known || k == key;
    if (!known) return Error(value, "series[]", "unknown option " + key);
    if (value.kind == ConfigNode::Kind::kNull && key != "path") continue;
    const std::string what = "series[]." + key;
    if (key == "topic") {
      Result<TopicPattern> topic = ReadTopic(value, what);
      if (!topic.ok()) return topic.status();
      rule.topic = std::move(*topic);
    } else if (key == "path") {
      Result<std::string> text = Scalar(value, what);
      if (!text.ok()) return text.status();
      Result<JsonPath> path = JsonPath::Parse(*text);
      if (!path.ok()) return Error(value, what, path.status().message());
      rule.path = std::move(*path);
    } else if (key == "metric") {
      Result<std::string> text = Scalar(value, what);
      if (!text.ok()) return text.status();
      if (!IsValidMetricName(*text)) {
        return Error(value, what, "\"" + *text + "\" is not a valid metric name");
      }
      rule.metric = *text;
    } else if (key == "scale") {
      Result<double> scale = Number(value, what);
      if (!scale.ok()) return scale.status();
      rule.scale = *scale;
    } else if (key == "labels") {
      WATTLINE_RETURN_IF_ERROR(ReadLabels(value, what, &rule.labels));
    } else if (key == "values") {
      if (value.kind != ConfigNode::Kind::kMap || value.entries.empty()) {
        return Error(value, what, "must be a mapping of payload text to numbers");
      }
      for (const auto& [text, number_node] : value.entries) {
        Result<double> number = Number(number_node, what + "." + text);
        if (!number.ok()) return number.status();
        rule.values.emplace_back(text, *number);
      }
    } else if (key == "retained") {
      Result<bool> retained = Bool(value, what);
      if (!retained.ok()) return retained.status();
      rule.retained = *retained;
    }
  }
  if (rule.metric.empty()) return Error(node, "series[]", "missing required option metric");
  return rule;
}

bool HasLabel(const Labels& labels, std::string_view name) {
  for (const Label& label : labels) {
    if (label.name == name) return true;
  }
  return false;
}

}  // namespace

bool IsMqttJsonMappingKey(std::string_view key) {
  for (std::string_view k : kMappingKeys) {
    if (k == key) return true;
  }
  return false;
}

Status ReadMqttJsonMappingLayer(const ConfigNode& node, bool is_profile, MqttJsonMapping* mapping) {
  if (node.kind != ConfigNode::Kind::kMap) {
    return Status::InvalidArgument(node.Where() + ": a mapping of options is expected");
  }
  for (const auto& [key, value] : node.entries) {
    if (!IsMqttJsonMappingKey(key)) {
      if (is_profile && key != "description") {
        return Error(value, "profile", "unknown option " + key);
      }
      continue;
    }
    if (value.kind == ConfigNode::Kind::kNull) continue;
    if (key == "topic") {
      Result<TopicPattern> topic = ReadTopic(value, key);
      if (!topic.ok()) return topic.status();
      mapping->topic = std::move(*topic);
    } else if (key == "labels") {
      WATTLINE_RETURN_IF_ERROR(ReadLabels(value, key, &mapping->labels));
    } else if (key == "timestamp_path") {
      Result<std::string> text = Scalar(value, key);
      if (!text.ok()) return text.status();
      if (text->empty()) {
        mapping->timestamp_path.reset();
      } else {
        Result<JsonPath> path = JsonPath::Parse(*text);
        if (!path.ok()) return Error(value, key, path.status().message());
        mapping->timestamp_path = std::move(*path);
      }
    } else if (key == "timestamp_zone") {
      Result<std::string> text = Scalar(value, key);
      if (!text.ok()) return text.status();
      Result<DeviceTimeZone> zone = ParseDeviceTimeZone(*text);
      if (!zone.ok()) return Error(value, key, zone.status().message());
      mapping->timestamp_zone = *zone;
    } else if (key == "timestamp_max_skew") {
      Result<std::string> text = Scalar(value, key);
      if (!text.ok()) return text.status();
      Result<int64_t> ms = ParseDurationMs(*text);
      if (!ms.ok() || *ms <= 0) return Error(value, key, "expected a duration such as 5m");
      mapping->timestamp_max_skew_ms = *ms;
    } else if (key == "series") {
      if (value.kind != ConfigNode::Kind::kList) return Error(value, key, "must be a list");
      for (const ConfigNode& item : value.items) {
        Result<MqttJsonRule> rule = ReadRule(item);
        if (!rule.ok()) return rule.status();
        mapping->rules.push_back(std::move(*rule));
      }
    }
  }
  return Status::Ok();
}

Status CheckMqttJsonMapping(const MqttJsonMapping& mapping, const std::string& where) {
  if (!mapping.topic.has_value()) {
    return Status::InvalidArgument(where + ": missing required option topic");
  }
  if (mapping.rules.empty()) {
    return Status::InvalidArgument(where + ": no series: give a profile or a series list");
  }
  const std::vector<std::string> source_captures = mapping.topic->CaptureNames();
  for (const std::string& name : source_captures) {
    if (HasLabel(mapping.labels, name)) {
      return Status::InvalidArgument(where + ": label " + name +
                                     " is both captured from the topic and fixed in labels");
    }
  }
  for (const MqttJsonRule& rule : mapping.rules) {
    std::set<std::string> captured(source_captures.begin(), source_captures.end());
    if (rule.topic.has_value()) {
      if (!mapping.topic->ends_with_hash()) {
        return Status::InvalidArgument(rule.where + ": series topic \"" + rule.topic->text() +
                                       "\" needs a subscription topic ending in '#' (it is \"" +
                                       mapping.topic->text() + "\")");
      }
      for (const std::string& name : rule.topic->CaptureNames()) {
        if (!captured.insert(name).second) {
          return Status::InvalidArgument(rule.where + ": capture {" + name +
                                         "} is already captured by the subscription topic");
        }
      }
    }
    for (const std::string& name : captured) {
      if (HasLabel(rule.labels, name) || HasLabel(mapping.labels, name)) {
        return Status::InvalidArgument(rule.where + ": label " + name +
                                       " is both captured from the topic and fixed in labels");
      }
    }
    if (!captured.contains("device") && !HasLabel(rule.labels, "device") &&
        !HasLabel(mapping.labels, "device")) {
      return Status::InvalidArgument(
          rule.where + ": series " + rule.metric +
          " has no device label: capture {device} in the topic or set labels: {device: NAME}");
    }
  }
  return Status::Ok();
}

}  // namespace wattline::agent
