#include "agent/shelly/shelly_gen1_parser.h"

#include <iterator>
#include <utility>

#include "agent/shelly/shelly_json.h"

namespace wattline::agent {
namespace {

using shelly_json::FieldMapping;
using shelly_json::Json;
using shelly_json::ObjectLabels;

constexpr FieldMapping kEmeterFields[] = {
    {"power", "power_watts"},
    {"reactive", "reactive_power_volt_amperes_reactive"},
    {"pf", "power_factor"},
    {"current", "current_amperes"},
    {"voltage", "voltage_volts"},
    {"total", "energy_imported_watt_hours_total"},
    {"total_returned", "energy_exported_watt_hours_total"},
};

constexpr FieldMapping kTotalPowerField[] = {{"total_power", "power_watts", "total"}};

constexpr std::string_view kPhases[] = {"a", "b", "c"};

// False for "is_valid": false; InvalidArgument for a value that is no bool.
Result<bool> IsValid(const Json& emeter) {
  auto it = emeter.find("is_valid");
  if (it == emeter.end() || it->is_null()) return true;
  if (!it->is_boolean()) {
    return Status::InvalidArgument(std::string("field \"is_valid\": expected a bool, got ") +
                                   it->type_name());
  }
  return it->get<bool>();
}

Status Parse(const Json& doc, std::string_view device, int64_t timestamp_ms, Samples* samples,
             std::vector<std::string>* invalid) {
  auto emeters = doc.find("emeters");
  if (emeters == doc.end() || !emeters->is_array() || emeters->empty()) {
    return Status::InvalidArgument(
        "no emeters[] (not the /status of a Shelly 3EM or EM, or an error answer)");
  }
  const bool three_phase = emeters->size() == 3;
  for (size_t i = 0; i < emeters->size(); ++i) {
    const Json& emeter = (*emeters)[i];
    const std::string name = "emeters[" + std::to_string(i) + "]";
    if (!emeter.is_object()) {
      return Status::InvalidArgument(name + ": expected an object, got " + emeter.type_name());
    }
    Result<bool> valid = IsValid(emeter);
    if (!valid.ok()) return valid.status().WithContext(name);
    if (!*valid) {
      invalid->push_back(name);
      continue;
    }
    const std::string channel = std::to_string(i);
    const ObjectLabels labels = three_phase ? ObjectLabels{device, "phase", kPhases[i]}
                                            : ObjectLabels{device, "channel", channel};
    bool any_known = false;
    Status status =
        shelly_json::AppendFields(emeter, kEmeterFields, labels, timestamp_ms, samples, &any_known);
    if (!status.ok()) return status.WithContext(name);
  }
  if (three_phase && invalid->empty()) {
    bool any_known = false;
    WATTLINE_RETURN_IF_ERROR(shelly_json::AppendFields(doc, kTotalPowerField,
                                                       ObjectLabels{device, "phase", ""},
                                                       timestamp_ms, samples, &any_known));
  }
  return Status::Ok();
}

}  // namespace

Status ParseGen1Status(std::string_view json, std::string_view device, int64_t timestamp_ms,
                       Samples* out, std::vector<std::string>* invalid) {
  if (device.empty()) return Status::InvalidArgument("device name is empty");
  Result<Json> doc = shelly_json::ParseObject(json, kMaxShellyGen1DocumentBytes);
  if (!doc.ok()) return doc.status().WithContext("/status");
  // Collected apart so that a failure half-way appends nothing.
  Samples samples;
  std::vector<std::string> invalid_here;
  WATTLINE_RETURN_IF_ERROR(
      Parse(*doc, device, timestamp_ms, &samples, &invalid_here).WithContext("/status"));
  out->insert(out->end(), std::make_move_iterator(samples.begin()),
              std::make_move_iterator(samples.end()));
  invalid->insert(invalid->end(), invalid_here.begin(), invalid_here.end());
  return Status::Ok();
}

}  // namespace wattline::agent
