// The values an alert template computes with: the Go types that Prometheus's
// template data and functions produce (bool, int, uint8, float64, string,
// template.HTML, map[string]string and the data struct), with Go's %v, %T
// and truth. Private to aggregator/rules/alert_template*.cc.
//
// Thread-safety: plain values; a Value that points at labels or data is
// valid while they are.
#ifndef WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_VALUE_H_
#define WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "aggregator/rules/alert_template.h"
#include "common/labels.h"

namespace wattline::aggregator::alert_template {

struct Value {
  enum class Kind : uint8_t {
    kInvalid,  // Go's invalid reflect.Value: prints "<no value>"
    kNil,      // a nil interface{} (the nil literal passed to print, ...)
    kBool,
    kInt,    // Go's int
    kByte,   // uint8, what index gives for a string
    kFloat,  // float64
    kString,
    kHtml,  // html/template.HTML, what safeHtml returns
    kMap,   // map[string]string: .Labels and .ExternalLabels
    kData,  // the struct . holds
  };

  static Value Nil() { return Of(Kind::kNil); }
  static Value Bool(bool value) {
    Value v = Of(Kind::kBool);
    v.boolean = value;
    return v;
  }
  static Value Int(int64_t value, Kind kind = Kind::kInt) {
    Value v = Of(kind);
    v.integer = value;
    return v;
  }
  static Value Float(double value) {
    Value v = Of(Kind::kFloat);
    v.number = value;
    return v;
  }
  static Value String(std::string value, Kind kind = Kind::kString) {
    Value v = Of(kind);
    v.text = std::move(value);
    return v;
  }
  static Value Map(const Labels* map) {
    Value v = Of(Kind::kMap);
    v.map = map;
    return v;
  }
  static Value Data(const AlertTemplateData* data) {
    Value v = Of(Kind::kData);
    v.data = data;
    return v;
  }

  bool valid() const { return kind != Kind::kInvalid; }
  // string and template.HTML: Go's reflect.String kind.
  bool is_string() const { return kind == Kind::kString || kind == Kind::kHtml; }

  Kind kind = Kind::kInvalid;
  bool boolean = false;
  int64_t integer = 0;  // kInt, kByte
  double number = 0;    // kFloat
  std::string text;     // kString, kHtml
  const Labels* map = nullptr;
  const AlertTemplateData* data = nullptr;

 private:
  static Value Of(Kind kind) {
    Value v;
    v.kind = kind;
    return v;
  }
};

// Go's %T: "float64", "map[string]string", "template.HTML", "<nil>", ...
std::string_view TypeName(const Value& value);

// Go's text/template truth: false, 0, "", an empty map and nil are false.
bool IsTrue(const Value& value);

// Appends Go's %v of `value` (fmt.Fprint for one operand). A map prints
// sorted, as map[k:v k2:v2]; kInvalid as "<no value>", kNil as "<nil>".
void AppendValue(const Value& value, std::string* out);
std::string ValueString(const Value& value);

// The labels of .ExternalLabels when the data has none: an empty map.
const Labels& NoLabels();

}  // namespace wattline::aggregator::alert_template

#endif  // WATTLINE_AGGREGATOR_RULES_ALERT_TEMPLATE_VALUE_H_
