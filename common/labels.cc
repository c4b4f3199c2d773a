#include "common/labels.h"

#include <algorithm>

namespace wattline {
namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

void AppendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

}  // namespace

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsNameStart(name.front())) return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !(IsNameStart(name.front()) || name.front() == ':')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameChar(c) || c == ':'; });
}

Status ValidateCanonical(const Labels& labels) {
  bool has_name = false;
  for (size_t i = 0; i < labels.size(); ++i) {
    const Label& label = labels[i];
    if (!IsValidLabelName(label.name)) {
      return Status::InvalidArgument("invalid label name \"" + label.name + "\"");
    }
    if (i > 0 && !(labels[i - 1].name < label.name)) {
      return Status::InvalidArgument(labels[i - 1].name == label.name
                                         ? "repeated label name \"" + label.name + "\""
                                         : "labels are not sorted by name");
    }
    if (label.name == kMetricNameLabel) {
      if (!IsValidMetricName(label.value)) {
        return Status::InvalidArgument("invalid metric name \"" + label.value + "\"");
      }
      has_name = true;
    }
  }
  if (!has_name) return Status::InvalidArgument("series has no metric name");
  return Status::Ok();
}

Status Canonicalize(Labels& labels) {
  std::sort(labels.begin(), labels.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  return ValidateCanonical(labels);
}

std::string_view LabelValue(const Labels& labels, std::string_view name) {
  for (const Label& label : labels) {
    if (label.name == name) return label.value;
  }
  return {};
}

std::string_view MetricName(const Labels& labels) { return LabelValue(labels, kMetricNameLabel); }

void SetLabel(Labels& labels, std::string_view name, std::string value) {
  auto it = std::lower_bound(labels.begin(), labels.end(), name,
                             [](const Label& label, std::string_view n) { return label.name < n; });
  const bool present = it != labels.end() && it->name == name;
  if (value.empty()) {
    if (present) labels.erase(it);
  } else if (present) {
    it->value = std::move(value);
  } else {
    labels.insert(it, Label{std::string(name), std::move(value)});
  }
}

std::string LabelsToString(const Labels& labels) {
  std::string out(MetricName(labels));
  out += '{';
  bool first = true;
  for (const Label& label : labels) {
    if (label.name == kMetricNameLabel) continue;
    if (!first) out += ',';
    first = false;
    out += label.name;
    out += "=\"";
    AppendEscaped(out, label.value);
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace wattline
