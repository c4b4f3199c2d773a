#include "aggregator/rules/rule_file.h"

#include <algorithm>
#include <set>
#include <utility>

#include "aggregator/query/parser.h"
#include "aggregator/rules/alert_template.h"
#include "common/config/config_tree.h"
#include "common/duration.h"

namespace wattline::aggregator {
namespace {

// Collects every error of a file, each on its own line.
class Errors {
 public:
  void Add(const ConfigNode& at, const std::string& message) {
    lines_.push_back(at.Where() + ": " + message);
  }
  bool empty() const { return lines_.empty(); }
  Status ToStatus() const {
    std::string text;
    for (const std::string& line : lines_) {
      if (!text.empty()) text += '\n';
      text += line;
    }
    return Status::InvalidArgument(text);
  }

 private:
  std::vector<std::string> lines_;
};

// Refuses keys other than `known`, as Prometheus's strict unmarshalling does.
void CheckKeys(const ConfigNode& map, std::initializer_list<std::string_view> known,
               std::string_view type, const std::string& context, Errors& errors) {
  for (const auto& [key, value] : map.entries) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      errors.Add(value, context + "field " + key + " not found in type " + std::string(type));
    }
  }
}

// The scalar under `key`, or "" when absent; an error if it is not a scalar.
std::string ScalarAt(const ConfigNode& map, std::string_view key, const std::string& context,
                     Errors& errors) {
  const ConfigNode* node = map.Find(key);
  if (node == nullptr || node->kind == ConfigNode::Kind::kNull) return "";
  if (node->kind != ConfigNode::Kind::kScalar) {
    errors.Add(*node, context + "'" + std::string(key) + "' must be a string");
    return "";
  }
  return node->scalar;
}

int64_t DurationAt(const ConfigNode& map, std::string_view key, const std::string& context,
                   Errors& errors) {
  const std::string text = ScalarAt(map, key, context, errors);
  if (text.empty()) return 0;
  Result<int64_t> ms = ParseDurationMs(text);
  if (!ms.ok()) {
    errors.Add(*map.Find(key), context + "'" + std::string(key) + "': " + ms.status().message());
    return 0;
  }
  return *ms;
}

// A map of names to strings (labels, annotations), sorted by name.
Labels PairsAt(const ConfigNode& map, std::string_view key, const std::string& context,
               Errors& errors) {
  Labels pairs;
  const ConfigNode* node = map.Find(key);
  if (node == nullptr || node->kind == ConfigNode::Kind::kNull) return pairs;
  if (node->kind != ConfigNode::Kind::kMap) {
    errors.Add(*node, context + "'" + std::string(key) + "' must be a map of names to strings");
    return pairs;
  }
  for (const auto& [name, value] : node->entries) {
    if (value.kind == ConfigNode::Kind::kList || value.kind == ConfigNode::Kind::kMap) {
      errors.Add(value,
                 context + "the value of " + std::string(key) + " " + name + " must be a string");
      continue;
    }
    pairs.push_back({name, value.scalar});
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  return pairs;
}

// A string is a valid label value when it is UTF-8 (model.LabelValue.IsValid).
bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t length = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xe  ? 3
                          : (c >> 3) == 0x1e ? 4
                                             : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return false;
    }
    i += length;
  }
  return true;
}

RuleSpec ParseRule(const ConfigNode& node, const std::string& group, size_t index, Errors& errors) {
  RuleSpec rule;
  rule.where = node.Where();
  const std::string record = ScalarAt(node, "record", "", errors);
  const std::string alert = ScalarAt(node, "alert", "", errors);
  const std::string shown = alert.empty() ? record : alert;
  // Prometheus's rulefmt.Error: group "g", rule 2, "Name": message
  const std::string context =
      "group \"" + group + "\", rule " + std::to_string(index + 1) + ", \"" + shown + "\": ";
  CheckKeys(node, {"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"},
            "rulefmt.Rule", context, errors);
  const ConfigNode& record_node = node.Find("record") ? *node.Find("record") : node;
  if (!record.empty() && !alert.empty()) {
    errors.Add(record_node, context + "only one of 'record' and 'alert' must be set");
  } else if (record.empty() && alert.empty()) {
    errors.Add(node, context + "one of 'record' or 'alert' must be set");
  }
  rule.kind = alert.empty() ? RuleSpec::Kind::kRecording : RuleSpec::Kind::kAlerting;
  rule.name = shown;
  rule.expr = ScalarAt(node, "expr", context, errors);
  const ConfigNode& expr_node = node.Find("expr") ? *node.Find("expr") : node;
  if (rule.expr.empty()) {
    errors.Add(expr_node, context + "field 'expr' must be set in rule");
  } else {
    Result<std::unique_ptr<Expr>> parsed = ParseExpr(rule.expr);
    if (parsed.ok()) {
      rule.parsed = std::move(parsed).value();
    } else {
      errors.Add(expr_node, context + "could not parse expression: " + parsed.status().message());
    }
  }
  rule.for_ms = DurationAt(node, "for", context, errors);
  rule.keep_firing_for_ms = DurationAt(node, "keep_firing_for", context, errors);
  rule.labels = PairsAt(node, "labels", context, errors);
  rule.annotations = PairsAt(node, "annotations", context, errors);
  if (rule.kind == RuleSpec::Kind::kRecording && !record.empty()) {
    if (!rule.annotations.empty()) {
      errors.Add(record_node, context + "invalid field 'annotations' in recording rule");
    }
    if (rule.for_ms != 0)
      errors.Add(record_node, context + "invalid field 'for' in recording rule");
    if (rule.keep_firing_for_ms != 0) {
      errors.Add(record_node, context + "invalid field 'keep_firing_for' in recording rule");
    }
    if (!IsValidMetricName(record)) {
      errors.Add(record_node, context + "invalid recording rule name: " + record);
    }
  }
  const ConfigNode& labels_node = node.Find("labels") ? *node.Find("labels") : node;
  for (const Label& label : rule.labels) {
    if (!IsValidLabelName(label.name) || label.name == kMetricNameLabel) {
      errors.Add(labels_node, context + "invalid label name: " + label.name);
    }
    if (!IsValidUtf8(label.value)) {
      errors.Add(labels_node, context + "invalid label value: " + label.value);
    }
  }
  const ConfigNode& annotations_node = node.Find("annotations") ? *node.Find("annotations") : node;
  for (const Label& annotation : rule.annotations) {
    if (!IsValidLabelName(annotation.name)) {
      errors.Add(annotations_node, context + "invalid annotation name: " + annotation.name);
    }
  }
  if (rule.kind == RuleSpec::Kind::kAlerting) {
    // As Prometheus's testTemplateParsing: each template with the
    // $labels/$value/... definitions in front.
    auto check = [&](const ConfigNode& at, const Label& item) {
      Result<AlertTemplate> parsed = ParseAlertTemplate(item.value);
      if (!parsed.ok()) {
        errors.Add(at,
                   context + "template: __alert_" + rule.name + ":" + parsed.status().message());
      }
    };
    for (const Label& label : rule.labels) check(labels_node, label);
    for (const Label& annotation : rule.annotations) check(annotations_node, annotation);
  }
  return rule;
}

Result<RuleFile> RuleFileFromTree(const Result<ConfigNode>& root) {
  if (!root.ok()) return root.status();
  Errors errors;
  RuleFile file;
  file.source = root->source;
  CheckKeys(*root, {"groups"}, "rulefmt.RuleGroups", "", errors);
  const ConfigNode* groups = root->Find("groups");
  if (groups != nullptr && groups->kind != ConfigNode::Kind::kList &&
      groups->kind != ConfigNode::Kind::kNull) {
    errors.Add(*groups, "'groups' must be a list");
    groups = nullptr;
  }
  std::set<std::string> names;
  for (const ConfigNode& node : groups ? groups->items : std::vector<ConfigNode>{}) {
    if (node.kind != ConfigNode::Kind::kMap) {
      errors.Add(node, "a group must be a map");
      continue;
    }
    RuleGroupSpec group;
    group.where = node.Where();
    group.name = ScalarAt(node, "name", "", errors);
    const std::string context = "group \"" + group.name + "\": ";
    CheckKeys(node, {"name", "interval", "limit", "rules"}, "rulefmt.RuleGroup", context, errors);
    if (group.name.empty()) errors.Add(node, "Groupname must not be empty");
    if (!names.insert(group.name).second) {
      errors.Add(node, "groupname: \"" + group.name + "\" is repeated in the same file");
    }
    group.interval_ms = DurationAt(node, "interval", context, errors);
    const std::string limit = ScalarAt(node, "limit", context, errors);
    if (!limit.empty()) {
      size_t used = 0;
      try {
        group.limit = std::stoll(limit, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != limit.size() || group.limit < 0) {
        errors.Add(*node.Find("limit"), context + "'limit' must be a whole number, 0 or more");
      }
    }
    const ConfigNode* rules = node.Find("rules");
    if (rules != nullptr && rules->kind == ConfigNode::Kind::kList) {
      for (size_t i = 0; i < rules->items.size(); ++i) {
        if (rules->items[i].kind != ConfigNode::Kind::kMap) {
          errors.Add(rules->items[i], context + "a rule must be a map");
          continue;
        }
        group.rules.push_back(ParseRule(rules->items[i], group.name, i, errors));
      }
    } else if (rules != nullptr && rules->kind != ConfigNode::Kind::kNull) {
      errors.Add(*rules, context + "'rules' must be a list");
    }
    file.groups.push_back(std::move(group));
  }
  if (!errors.empty()) return errors.ToStatus();
  return file;
}

}  // namespace

Result<RuleFile> ParseRuleFile(std::string_view text, std::string_view source) {
  return RuleFileFromTree(ParseYamlConfig(text, source));
}

Result<RuleFile> LoadRuleFile(const std::string& path) {
  return RuleFileFromTree(LoadYamlConfigFile(path, "rule file"));
}

std::string RuleIdentity(const RuleSpec& rule) {
  return rule.name + (rule.labels.empty() ? "" : LabelsToString(rule.labels));
}

size_t RuleCount(const RuleFile& file) {
  size_t count = 0;
  for (const RuleGroupSpec& group : file.groups) count += group.rules.size();
  return count;
}

}  // namespace wattline::aggregator
