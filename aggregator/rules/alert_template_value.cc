#include "aggregator/rules/alert_template_value.h"

#include <string>

namespace wattline::aggregator::alert_template {
namespace {

void AppendMap(const Labels& map, std::string* out) {
  *out += "map[";
  for (size_t i = 0; i < map.size(); ++i) {
    if (i > 0) *out += ' ';
    *out += map[i].name;
    *out += ':';
    *out += map[i].value;
  }
  *out += ']';
}

}  // namespace

const Labels& NoLabels() {
  static const Labels* const kEmpty = new Labels();
  return *kEmpty;
}

std::string_view TypeName(const Value& value) {
  switch (value.kind) {
    case Value::Kind::kInvalid:
    case Value::Kind::kNil:
      return "<nil>";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kByte:
      return "uint8";
    case Value::Kind::kFloat:
      return "float64";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kHtml:
      return "template.HTML";
    case Value::Kind::kMap:
      return "map[string]string";
    case Value::Kind::kData:
      // The anonymous struct of Prometheus's AlertTemplateData.
      return "struct { Labels map[string]string; ExternalLabels map[string]string; "
             "ExternalURL string; Value float64 }";
  }
  return "<nil>";
}

bool IsTrue(const Value& value) {
  switch (value.kind) {
    case Value::Kind::kInvalid:
    case Value::Kind::kNil:
      return false;
    case Value::Kind::kBool:
      return value.boolean;
    case Value::Kind::kInt:
    case Value::Kind::kByte:
      return value.integer != 0;
    case Value::Kind::kFloat:
      return value.number != 0;  // NaN is true, as in Go
    case Value::Kind::kString:
    case Value::Kind::kHtml:
      return !value.text.empty();
    case Value::Kind::kMap:
      return !value.map->empty();
    case Value::Kind::kData:
      return true;  // a struct always is
  }
  return false;
}

void AppendValue(const Value& value, std::string* out) {
  switch (value.kind) {
    case Value::Kind::kInvalid:
      *out += "<no value>";
      return;
    case Value::Kind::kNil:
      *out += "<nil>";
      return;
    case Value::Kind::kBool:
      *out += value.boolean ? "true" : "false";
      return;
    case Value::Kind::kInt:
    case Value::Kind::kByte:
      *out += std::to_string(value.integer);
      return;
    case Value::Kind::kFloat:
      *out += FormatGoFloatG(value.number);
      return;
    case Value::Kind::kString:
    case Value::Kind::kHtml:
      *out += value.text;
      return;
    case Value::Kind::kMap:
      AppendMap(*value.map, out);
      return;
    case Value::Kind::kData: {
      const AlertTemplateData& data = *value.data;
      *out += '{';
      AppendMap(data.labels != nullptr ? *data.labels : NoLabels(), out);
      *out += ' ';
      AppendMap(data.external_labels != nullptr ? *data.external_labels : NoLabels(), out);
      *out += ' ';
      *out += data.external_url;
      *out += ' ';
      *out += FormatGoFloatG(data.value);
      *out += '}';
      return;
    }
  }
}

std::string ValueString(const Value& value) {
  std::string out;
  AppendValue(value, &out);
  return out;
}

}  // namespace wattline::aggregator::alert_template
