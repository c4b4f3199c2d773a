#include "agent/shelly/shelly_json.h"

#include <cmath>
#include <utility>

namespace wattline::agent::shelly_json {
namespace {

// The value `mapping.field` names in `object`: nullptr when absent or null
// anywhere along the path.
Result<const Json*> Lookup(const Json& object, std::string_view field) {
  const size_t dot = field.find('.');
  if (dot == std::string_view::npos) {
    auto it = object.find(field);
    return it == object.end() ? nullptr : &*it;
  }
  const std::string_view outer = field.substr(0, dot);
  auto it = object.find(outer);
  if (it == object.end() || it->is_null()) return nullptr;
  if (!it->is_object()) {
    return Status::InvalidArgument("field " + Quoted(outer) + ": expected an object or null, got " +
                                   it->type_name());
  }
  return Lookup(*it, field.substr(dot + 1));
}

}  // namespace

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

Result<Json> ParseObject(std::string_view json, size_t max_bytes) {
  if (json.size() > max_bytes) {
    return Status::InvalidArgument("document of " + std::to_string(json.size()) +
                                   " bytes is over the limit of " + std::to_string(max_bytes));
  }
  // allow_exceptions=false: a syntax error yields a "discarded" value instead
  // of throwing.
  Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("not valid JSON");
  if (!doc.is_object()) {
    return Status::InvalidArgument(std::string("expected a JSON object, got ") + doc.type_name());
  }
  return doc;
}

Status AppendFields(const Json& object, std::span<const FieldMapping> fields,
                    const ObjectLabels& labels, int64_t timestamp_ms, Samples* out,
                    bool* any_known) {
  for (const FieldMapping& mapping : fields) {
    Result<const Json*> found = Lookup(object, mapping.field);
    if (!found.ok()) return found.status();
    const Json* value = *found;
    if (value == nullptr) {
      // Present as null at the top level still tells that this is the object
      // we expect ("c_current": null on a phase without a CT).
      *any_known = *any_known || object.contains(mapping.field.substr(0, mapping.field.find('.')));
      continue;
    }
    *any_known = true;
    if (value->is_null()) continue;
    if (!value->is_number()) {
      return Status::InvalidArgument("field " + Quoted(mapping.field) +
                                     ": expected a number or null, got " + value->type_name());
    }
    // Integers (64735) and floats (64735.49) alike; an integer beyond 2^53
    // rounds exactly as strtod would round its decimal text.
    const double number = value->get<double>();
    // nlohmann already refuses 1e400 as a syntax error; this keeps an inf or
    // NaN from ever reaching a batch should that change.
    if (!std::isfinite(number)) {
      return Status::InvalidArgument("field " + Quoted(mapping.field) + ": not a finite number");
    }
    Sample sample;
    const std::string_view position =
        mapping.label_value.empty() ? labels.position_value : mapping.label_value;
    sample.labels = {{std::string(kMetricNameLabel), std::string(mapping.metric)},
                     {"device", std::string(labels.device)},
                     {std::string(labels.position_label), std::string(position)}};
    if (!labels.extra_label.empty()) {
      sample.labels.push_back({std::string(labels.extra_label), std::string(labels.extra_value)});
    }
    WATTLINE_RETURN_IF_ERROR(Canonicalize(sample.labels));
    sample.timestamp_ms = timestamp_ms;
    sample.value = number;
    out->push_back(std::move(sample));
  }
  return Status::Ok();
}

}  // namespace wattline::agent::shelly_json
